/**
 * Reading a JSON file that sfl wrote (a run's run.json, metrics.json, predictions.json, ...),
 * with errors that are one sentence naming the file.
 */
import { readFileSync } from 'node:fs';
import { SflError } from './errors.ts';

/** The parsed contents of `path`; a missing, unreadable or malformed file is an SflError naming it. */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SflError(code === 'ENOENT' ? 'file is missing' : `cannot read it (${code ?? (e as Error).message})`, path);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new SflError(`not valid JSON: ${(e as Error).message}`, path);
  }
}
