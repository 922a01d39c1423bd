import type { Command } from 'commander';
import { downloadMnist } from '../../data/download.ts';
import { mnistCacheDir } from '../../data/mnist-cache.ts';

/** `sfl data mnist`: fetch and verify the MNIST files into the cache that runs look in. */
export function registerData(program: Command): void {
  const data = program.command('data').description('get data sets');
  data
    .command('mnist')
    .description(
      'download the four MNIST files from the public mirrors ($SFL_MNIST_MIRROR overrides them), verify their published checksums ' +
        `and keep them in the cache (default ${mnistCacheDir()}), where later runs find them without --mnist`,
    )
    .option('--dir <dir>', 'write the files here instead of the cache')
    .option('--json', 'print the result as one JSON object on stdout')
    .action(async (flags: { dir?: string; json?: boolean }) => {
      const res = await downloadMnist({ dir: flags.dir, log: (s) => process.stderr.write(`${s}\n`) });
      if (flags.json) console.log(JSON.stringify(res, null, 2));
      else console.log(`MNIST ready in ${res.dir}`);
    });
}
