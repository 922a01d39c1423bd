/**
 * What every saved run gets besides the files its experiment wrote, made from the complete run
 * just before it moves into place (RunDir.commit): its TensorFlow.js export and its report.html.
 * Here rather than in run-dir.ts because both read a run back (trained-run.ts, report.ts), and
 * those modules use run folders themselves; so the import graph has no cycle.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SflError } from '../util/errors.ts';
import { REPORT_FILE, writeReport } from './report.ts';
import type { RunDir } from './run-dir.ts';
import { exportTfjs, TFJS_FOLDER } from './tfjs-export.ts';
import { loadTrainedRun } from './trained-run.ts';

/** The tfjs/ export, then report.html (which shows what the folder holds). */
export async function finishRun(run: RunDir): Promise<void> {
  await ensureTfjs(run);
  await ensureReport(run);
}

/**
 * Every run gets its report.html: built here unless the experiment wrote one. A report that
 * cannot be built is a warning, never the loss of the run it describes.
 */
async function ensureReport(run: RunDir): Promise<void> {
  if (existsSync(join(run.stagingPath, REPORT_FILE))) return;
  try {
    await writeReport(run.stagingPath);
  } catch (e) {
    process.stderr.write(`warning: run ${run.name}: report.html not written: ${(e as Error).message}\n`);
  }
}

/**
 * Every run that classifies also keeps its networks as TensorFlow.js LayersModels with the
 * front end described beside them (tfjs/: what `sfl export --tfjs` writes), so that any
 * TensorFlow.js program or a browser page can load it. A run without a classifier has none; an
 * export that fails is a warning, never the loss of the run.
 */
async function ensureTfjs(dir: RunDir): Promise<void> {
  let run;
  try {
    run = await loadTrainedRun(dir.stagingPath);
  } catch {
    return; // no model this interface loads (a run of data or features only)
  }
  if (run.cannotClassify) return;
  try {
    await exportTfjs(run, join(dir.stagingPath, TFJS_FOLDER), { runPath: dir.finalPath });
  } catch (e) {
    // An SflError is a kind of run the export does not cover (it says which); anything else is a fault.
    const what = e instanceof SflError ? 'note' : 'warning';
    process.stderr.write(`${what}: run ${dir.name}: no ${TFJS_FOLDER}/ (TensorFlow.js models): ${(e as Error).message}\n`);
  }
}
