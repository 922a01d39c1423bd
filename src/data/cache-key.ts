import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every depth, so two parameter objects that are equal as
 * values always give the same text (and the same cache key), whatever order their keys were
 * written in. Refuses what JSON would silently change: NaN/Infinity (become null), functions,
 * bigints, and class instances such as typed arrays or Maps (their fields would be lost).
 * Object properties whose value is undefined are left out, as JSON.stringify does.
 */
export function stableStringify(value: unknown): string {
  return JSON.stringify(normalize(value, '$'));
}

function normalize(value: unknown, where: string): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`stableStringify: ${where} is ${value}, which JSON cannot hold`);
    return value;
  }
  if (Array.isArray(value)) return value.map((v, i) => normalize(v, `${where}[${i}]`));
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw new TypeError(`stableStringify: ${where} is a ${proto?.constructor?.name ?? 'non-plain object'}; use plain objects, arrays and numbers`);
    }
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = normalize(v, `${where}.${key}`);
    }
    return out;
  }
  throw new TypeError(`stableStringify: ${where} has type ${typeof value}, which JSON cannot hold`);
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}
