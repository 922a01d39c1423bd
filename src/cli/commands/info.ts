import type { Command } from 'commander';
import os from 'node:os';
import { backendFailures, initBackend, versions } from '../../compute/backend.ts';
import { fastMatMulInstalled } from '../../compute/fast-matmul.ts';

/** `sfl info`: what this installation computes with. */
export function registerInfo(program: Command): void {
  program
    .command('info')
    .description('print the TensorFlow.js backend in use, the tfjs and Node versions, and the core count')
    .option('--json', 'print one JSON object instead of text')
    .action(async (opts: { json?: boolean }) => {
      const backend = await initBackend();
      const v = versions();
      const info = {
        backend,
        tfjs: v.tfjs,
        node: v.node,
        cores: os.availableParallelism(),
        fastMatMul: fastMatMulInstalled(),
        notLoaded: backendFailures(),
      };
      if (opts.json) {
        console.log(JSON.stringify(info, null, 2));
        return;
      }
      console.log(`backend     ${info.backend}${info.fastMatMul ? ' (transposed matMul override active)' : ''}`);
      console.log(`tfjs        ${info.tfjs}`);
      console.log(`node        ${info.node}`);
      console.log(`cores       ${info.cores}`);
      for (const [name, why] of Object.entries(info.notLoaded)) {
        console.log(`not loaded  ${name}: ${why}`);
      }
    });
}
