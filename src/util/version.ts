import { readFileSync } from 'node:fs';

let cached: string | undefined;

/** sfl's version from package.json, recorded in run.json and model.json so outputs can be traced to a release. */
export function sflVersion(): string {
  cached ??= (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  return cached;
}
