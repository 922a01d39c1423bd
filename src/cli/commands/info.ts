import type { Command } from 'commander';
import os from 'node:os';
import { backendFailures, initBackend, versions } from '../../compute/backend.ts';
import { fastMatMulInstalled } from '../../compute/fast-matmul.ts';
import { engine, engineFailure, hostKernelKind, onnxThreads, workerCount } from '../../compute/engine.ts';
import { onnxRuntimeVersion } from '../../compute/onnx/runtime.ts';

/** `sfl info`: what this installation computes with. */
export function registerInfo(program: Command): void {
  program
    .command('info')
    .description('print where the numbers run: the engine of the training costs (onnx or wasm; SFL_ENGINE forces one), the TensorFlow.js backend, the host SGD kernels, versions and the core count')
    .option('--json', 'print one JSON object instead of text')
    .action(async (opts: { json?: boolean }) => {
      const backend = await initBackend();
      const chosen = await engine();
      const v = versions();
      const info = {
        engine: chosen,
        onnxruntime: onnxRuntimeVersion() ?? null,
        onnxThreads: chosen === 'onnx' ? onnxThreads() : null,
        workers: chosen === 'wasm' ? workerCount() : null,
        hostKernels: hostKernelKind(),
        backend,
        tfjs: v.tfjs,
        node: v.node,
        cores: os.availableParallelism(),
        fastMatMul: fastMatMulInstalled(),
        notLoaded: { ...(engineFailure() ? { onnx: engineFailure() } : {}), ...backendFailures() },
      };
      if (opts.json) {
        console.log(JSON.stringify(info, null, 2));
        return;
      }
      const how = info.engine === 'onnx'
        ? `ONNX Runtime ${info.onnxruntime}, ${info.onnxThreads} intra-op threads`
        : `TensorFlow.js on the backend below, up to ${info.workers} worker threads`;
      console.log(`engine      ${info.engine} (${how})${process.env.SFL_ENGINE ? ', forced by SFL_ENGINE' : ''}`);
      console.log(`backend     ${info.backend}${info.fastMatMul ? ' (transposed matMul override active)' : ''}`);
      console.log(`host SGD    ${info.hostKernels === 'simd' ? 'WebAssembly SIMD' : 'JavaScript'} row kernels${process.env.SFL_HOST_KERNELS ? ', forced by SFL_HOST_KERNELS' : ''}`);
      console.log(`tfjs        ${info.tfjs}`);
      console.log(`node        ${info.node}`);
      console.log(`cores       ${info.cores}`);
      for (const [name, why] of Object.entries(info.notLoaded)) {
        console.log(`not loaded  ${name}: ${why}`);
      }
    });
}
