/**
 * Compiles the WebAssembly text of the SIMD row kernels (src/compute/row-kernels.wat) into the
 * committed binary beside it (row-kernels.wasm):
 *
 *   npm run build:wasm
 *
 * The binary is committed, not compiled at start-up, so that running sfl needs no assembler
 * (wabt is a dev dependency; loading it costs a few hundred ms in every process, and it is async
 * where the host layers are made synchronously). test/compute/row-kernels.test.ts compiles the
 * text afresh and fails when the committed binary differs. The output is byte-for-byte
 * reproducible (no names section).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import wabt from 'wabt';

export const ROW_KERNELS_WAT = fileURLToPath(new URL('../src/compute/row-kernels.wat', import.meta.url));
export const ROW_KERNELS_WASM = fileURLToPath(new URL('../src/compute/row-kernels.wasm', import.meta.url));

/** The binary of row-kernels.wat (fixed-width SIMD and bulk memory enabled). */
export async function compileRowKernels(): Promise<Uint8Array> {
  const w = await wabt();
  const module = w.parseWat('row-kernels.wat', readFileSync(ROW_KERNELS_WAT, 'utf8'), { simd: true, bulk_memory: true });
  try {
    module.validate();
    return module.toBinary({}).buffer;
  } finally {
    module.destroy();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const bytes = await compileRowKernels();
  writeFileSync(ROW_KERNELS_WASM, bytes);
  console.log(`wrote ${ROW_KERNELS_WASM} (${bytes.length} bytes)`);
}
