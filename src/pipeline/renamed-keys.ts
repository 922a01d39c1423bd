/**
 * Config keys that have been renamed, so config files written before keep loading: each old key
 * is moved to its new name (its value converted where the meaning was rescaled) and a one-line
 * note on stderr says so. Applied where a user's partial config enters (a config file, --set),
 * before validation, which would otherwise refuse the old key as unknown.
 */
import { SflError } from '../util/errors.ts';

interface Rename {
  from: string;
  to: string;
  /** The new key's value from the old key's (default: the same). */
  convert?: (old: number) => number;
  /** What convert does, for the note. */
  how?: string;
}

/** The supervised MNIST baselines, which had an `l2` setting. */
const L2_MODELS = ['logreg', 'mlp', 'lenet', 'sda'];

const RENAMED_KEYS: readonly Rename[] = [
  // Weight decay had three names (lambda, l2, weightDecay); it now has one.
  { from: 'sae.lambda', to: 'sae.weightDecay' },
  { from: 'softmax.lambda', to: 'softmax.weightDecay' },
  { from: 'softmax.chooseLambda', to: 'softmax.chooseWeightDecay' },
  // l2 weighted the sum of squared weights itself; weightDecay weighs half of it, as everywhere in sfl.
  ...L2_MODELS.map((m) => ({ from: `baselines.${m}.l2`, to: `baselines.${m}.weightDecay`, convert: (l2: number) => 2 * l2, how: 'twice the old value' })),
];

/**
 * A partial config (`partial`) with its renamed keys under their new names (a copy; `partial` is not changed). The
 * note, when there is one, is passed to `note` (default: stderr). Giving a key under both names
 * is an error naming `source`.
 */
export function upgradeRenamedKeys<T extends object>(partial: T, source: string, note: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): T {
  const out = structuredClone(partial) as Record<string, unknown>;
  const moved: string[] = [];
  for (const r of RENAMED_KEYS) {
    const from = r.from.split('.'), to = r.to.split('.');
    const parent = nodeAt(out, from.slice(0, -1));
    const oldKey = from[from.length - 1];
    if (!parent || !(oldKey in parent)) continue;
    const target = nodeAt(out, to.slice(0, -1))!;
    const newKey = to[to.length - 1];
    if (newKey in target) throw new SflError(`${r.from} and ${r.to} are one setting (${r.from} is its old name); give only ${r.to}`, source);
    const value = parent[oldKey];
    target[newKey] = r.convert && typeof value === 'number' ? r.convert(value) : value;
    delete parent[oldKey];
    moved.push(r.how ? `${r.from} -> ${r.to} (${r.how})` : `${r.from} -> ${r.to}`);
  }
  if (moved.length > 0) note(`note: ${source} uses old key names, read as: ${moved.join(', ')}`);
  return out as T;
}

/** The object at `path` below `o` (the same parents as the old key share), or undefined. */
function nodeAt(o: Record<string, unknown>, path: string[]): Record<string, unknown> | undefined {
  let node: unknown = o;
  for (const k of path) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[k];
  }
  return node !== null && typeof node === 'object' && !Array.isArray(node) ? (node as Record<string, unknown>) : undefined;
}
