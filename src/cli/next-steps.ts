/**
 * The line a training command ends with: what to do with the run it wrote, as commands the user
 * can paste. Printed the way sfl was started (`npm run sfl --` inside this project, else the
 * installed `sfl`), with the run folder relative to the current folder when it is inside it.
 */
import { isAbsolute, relative } from 'node:path';

/** `npm run sfl --` when npm started the project's `sfl` script, else `sfl` (the package's binary). */
export function sflCommand(env: NodeJS.ProcessEnv = process.env): string {
  return env.npm_lifecycle_event === 'sfl' ? 'npm run sfl --' : 'sfl';
}

/** The run folder as the user would type it: relative to the current folder if inside it; quoted if it has spaces. */
export function runArgument(runPath: string, cwd = process.cwd()): string {
  const rel = relative(cwd, runPath);
  const path = rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : runPath;
  return /[\s'"$`\\]/.test(path) ? `'${path.replace(/'/g, `'\\''`)}'` : path;
}

/** What a run can do next, by what it holds: a classifier (audio or images) or only learned features. */
export function nextStepsLine(runPath: string, kind: 'audio-classifier' | 'features', env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  const sfl = sflCommand(env);
  const run = runArgument(runPath, cwd);
  if (kind === 'audio-classifier') {
    return `next: label new recordings with \`${sfl} classify ${run} <files or folders>\`, try it in a browser with \`${sfl} serve ${run}\`; open ${run}/report.html`;
  }
  return `next: redraw the filters with \`${sfl} visualize ${run} --top 50\`, write recordings' learned features with \`${sfl} encode ${run} <files or folders> --out features.npy\``;
}
