/**
 * Sizes checked before they are allocated: a setting that would need more memory than the machine
 * has (`--hidden 1e9`, `--windows 1e12`) is refused with a sentence saying how much it would need,
 * instead of ending in a RangeError thrown from deep inside a typed-array or tfjs allocation.
 */
import { constants as bufferConstants } from 'node:buffer';
import { totalmem } from 'node:os';
import { SflError } from './errors.ts';

/** "1.5 GB": bytes in decimal units, as disks and `free -h`-like tools print them to users. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${Math.round(v)} bytes` : `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** The memory sfl may plan to use: the machine's, or $SFL_MEMORY_LIMIT (bytes) when set lower. */
function memoryLimit(env: NodeJS.ProcessEnv = process.env): number {
  const given = Number(env.SFL_MEMORY_LIMIT);
  return Number.isFinite(given) && given > 0 ? Math.min(given, totalmem()) : totalmem();
}

/** The most values one typed array may hold in this Node (V8's limit is on the length, whatever the type). */
const MAX_ARRAY_ELEMENTS = bufferConstants.MAX_LENGTH;

/**
 * Throws unless `bytes` fit in memory and the largest single array (`largestElements`
 * values) is one Node can allocate. `what` starts the sentence ("--windows 1000000000000 (2e12
 * values)"), `advice` ends it ("use fewer --windows").
 */
export function requireMemory(bytes: number, largestElements: number, what: string, advice: string): void {
  const limit = memoryLimit();
  if (bytes > limit) {
    throw new SflError(`${what} would need about ${formatBytes(bytes)} of memory, more than the ${formatBytes(limit)} this machine has; ${advice}`);
  }
  if (largestElements > MAX_ARRAY_ELEMENTS) {
    throw new SflError(
      `${what} would need one array of ${largestElements.toExponential(2)} values, more than the ${MAX_ARRAY_ELEMENTS.toExponential(2)} Node can allocate at once; ${advice}`,
    );
  }
}
