import { describe, expect, it } from 'vitest';
import { selectEngine } from '../../src/compute/engine.ts';
import { loadOnnxRuntime } from '../../src/compute/onnx/runtime.ts';

const ort = await loadOnnxRuntime();

describe('engine choice', () => {
  it('SFL_ENGINE=wasm forces the wasm engine; an unknown engine is an error naming the variable', async () => {
    expect(await selectEngine('wasm')).toBe('wasm');
    await expect(selectEngine('gpu')).rejects.toThrow(/SFL_ENGINE=gpu is not one of onnx, wasm/);
  });

  it.skipIf(!ort)('onnx is the default where onnxruntime-node loads, and can be forced', async () => {
    expect(await selectEngine(undefined)).toBe('onnx');
    expect(await selectEngine('onnx')).toBe('onnx');
  });
});
