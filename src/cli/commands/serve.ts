import type { Command } from 'commander';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../compute/backend.ts';
import { loadTrainedRun } from '../../pipeline/trained-run.ts';
import { webPageRefusal, writeWebSite } from '../../pipeline/web-site.ts';
import { SflError } from '../../util/errors.ts';
import { runLookupOption } from '../experiment-options.ts';
import { intArg } from '../options.ts';
import { LOOPBACK, serveFolder } from '../static-server.ts';

/** `sfl serve <run>`: the run's page in the browser, served from this machine only, until Ctrl-C. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(
      'serve a trained audio run\'s page on this machine (http://127.0.0.1, not reachable from the network): drop audio ' +
        'files on it to classify them, or use the microphone for live labels segment by segment; it shows each ' +
        'recording\'s spectrogram, its prediction over time and the learned filters. Everything runs in the browser ' +
        '(TensorFlow.js and the same front end as sfl classify); Ctrl-C stops the server. `sfl export <run> --web <dir>` ' +
        'writes the same page as static files',
    )
    .argument('<run>', 'a run name (under --outputs) or a run folder')
    .option('--port <n>', 'port on 127.0.0.1 to serve on; 0 lets the system choose a free one', intArg('--port'), 0)
    .addOption(runLookupOption())
    .action(async (target: string, opts: { port: number; outputs: string }) => {
      if (opts.port < 0 || opts.port > 65535) throw new SflError(`--port must be between 0 and 65535 (got ${opts.port})`);
      await initBackend();
      const run = await loadTrainedRun(target, opts.outputs);
      const refusal = webPageRefusal(run);
      if (refusal) throw new SflError(refusal);
      const dir = mkdtempSync(join(tmpdir(), 'sfl-serve-'));
      const cleanUp = () => rmSync(dir, { recursive: true, force: true });
      try {
        await writeWebSite(run, dir);
        const { url } = await serveFolder(dir, opts.port);
        console.log(`serving ${run.describe()}`);
        console.log(`open ${url} (only this machine, ${LOOPBACK}, can reach it); Ctrl-C stops`);
      } catch (e) {
        cleanUp();
        throw e;
      }
      for (const signal of ['SIGINT', 'SIGTERM'] as const) {
        process.once(signal, () => {
          cleanUp();
          process.exit(0);
        });
      }
    });
}
