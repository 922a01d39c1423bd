/**
 * What each config key may hold, and a validator that reports problems by key path
 * ("sae.weightDecay must be a number >= 0 (got "abc")"). Hand-written rather than JSON Schema + a
 * validator library because the messages are the point: they name the key in the user's terms
 * and suggest the nearest key for typos.
 */
import { PAD_MODES } from '../audio/frames.ts';
import { sampleLengthProblem } from '../audio/frame-length.ts';
import { MEL_NORMS, MEL_SCALES } from '../audio/mel.ts';
import { PRESET_NAMES } from '../audio/presets.ts';
import { LOG_SCALES } from '../audio/scale.ts';
import { WINDOW_TYPES } from '../audio/window.ts';
import { LABEL_SOURCES } from '../data/labeled-set.ts';
import { SPLIT_KINDS } from '../data/splits.ts';

export type Rule =
  | { type: 'number'; min?: number; max?: number; exclusiveMin?: boolean; integer?: boolean; nullable?: boolean }
  | { type: 'string'; nonEmpty?: boolean; nullable?: boolean }
  | { type: 'boolean' }
  | { type: 'enum'; values: readonly string[]; nullable?: boolean }
  | { type: 'array'; of: Rule; nonEmpty?: boolean }
  | { type: 'object'; fields: Record<string, Rule> }
  /** A number of samples (an integer >= min) or a duration string like "32ms" (audio/frame-length.ts). */
  | { type: 'sample-length'; min: number; orHalf?: boolean };

const int = (min: number, extra: Partial<Extract<Rule, { type: 'number' }>> = {}): Rule => ({ type: 'number', integer: true, min, ...extra });
const num = (min: number, extra: Partial<Extract<Rule, { type: 'number' }>> = {}): Rule => ({ type: 'number', min, ...extra });
const seed: Rule = { type: 'number', integer: true, min: 0, nullable: true };

const positive = num(0, { exclusiveMin: true });
const supervised = {
  epochs: int(1),
  batchSize: int(1),
  learningRate: positive,
  weightDecay: num(0),
  patience: int(1, { nullable: true }),
  patienceIncrease: num(1),
  improvementThreshold: num(0, { exclusiveMin: true, max: 1 }),
  validationFrequency: int(1, { nullable: true }),
};
const fraction = num(0, { max: 0.99 });

/** The `baselines` section: settings of models/mnist-baselines/settings.ts. */
const BASELINES_SCHEMA: Rule = {
  type: 'object',
  fields: {
    trainCount: int(1),
    validCount: int(1),
    testCount: int(1, { nullable: true }),
    evalWholeBatches: { type: 'boolean' },
    logreg: { type: 'object', fields: supervised },
    mlp: { type: 'object', fields: { ...supervised, hidden: { type: 'array', of: int(1), nonEmpty: true } } },
    lenet: {
      type: 'object',
      fields: { ...supervised, kernels: { type: 'array', of: int(1), nonEmpty: true }, filterSize: int(1), pool: int(1), hidden: int(1) },
    },
    da: { type: 'object', fields: { epochs: int(1), batchSize: int(1), learningRate: positive, hidden: int(1), corruption: fraction } },
    sda: {
      type: 'object',
      fields: {
        ...supervised,
        hidden: { type: 'array', of: int(1), nonEmpty: true },
        corruption: { type: 'array', of: fraction, nonEmpty: true },
        pretrainEpochs: int(0),
        pretrainLearningRate: positive,
      },
    },
  },
};

/**
 * The experiments a config can ask for (the `experiment` key). Adding one here makes it a valid
 * config value; `sfl run` then needs a runner in src/pipeline/experiments/index.ts, and says
 * "not implemented yet" until it has one.
 */
export const EXPERIMENT_NAMES = [
  'sae',
  'self-taught',
  'stacked',
  'softmax',
  'conv',
  'conv-ae',
  'mnist-logreg',
  'mnist-mlp',
  'mnist-lenet',
  'mnist-da',
  'mnist-sda',
] as const;

export const CONFIG_SCHEMA: Rule = {
  type: 'object',
  fields: {
    experiment: { type: 'enum', values: EXPERIMENT_NAMES },
    description: { type: 'string' },
    spectrum: {
      type: 'object',
      fields: {
        transform: { type: 'enum', values: ['fft', 'mel', 'bark', 'mfcc', 'cepstrum'] },
        frameSize: { type: 'sample-length', min: 8 },
        hop: { type: 'sample-length', min: 1, orHalf: true },
        window: { type: 'enum', values: [...WINDOW_TYPES] },
        bands: int(1),
        fMin: num(0),
        fMax: num(0, { exclusiveMin: true, nullable: true }),
        log: { type: 'boolean' },
        power: { type: 'boolean' },
        coefficients: int(1),
        sampleRate: int(1, { nullable: true }),
        meanNormalise: { type: 'boolean' },
        trimDb: num(0, { exclusiveMin: true, nullable: true }),
        center: { type: 'boolean' },
        padMode: { type: 'enum', values: [...PAD_MODES] },
        melScale: { type: 'enum', values: [...MEL_SCALES] },
        melNorm: { type: 'enum', values: [...MEL_NORMS] },
        logScale: { type: 'enum', values: [...LOG_SCALES] },
        topDb: num(0, { nullable: true }),
        preset: { type: 'enum', values: PRESET_NAMES, nullable: true },
      },
    },
    pooling: {
      type: 'object',
      fields: {
        method: { type: 'enum', values: ['mean', 'max', 'meanmax'] },
        segments: int(1),
      },
    },
    windows: {
      type: 'object',
      fields: { frames: int(1), count: int(1), seed, sampling: { type: 'enum', values: ['balanced', 'duration'] } },
    },
    normalise: { type: 'enum', values: ['none', 'example-mean', 'standardise', 'rescale01'], nullable: true },
    whitening: {
      type: 'object',
      fields: {
        kind: { type: 'enum', values: ['none', 'pca', 'zca'] },
        epsilon: num(0),
        retainVariance: num(0, { exclusiveMin: true, max: 1 }),
      },
    },
    sae: {
      type: 'object',
      fields: {
        hidden: int(1),
        weightDecay: num(0),
        beta: num(0),
        rho: num(0, { exclusiveMin: true, max: 0.999 }),
        decoder: { type: 'enum', values: ['auto', 'sigmoid', 'linear'] },
        maxIter: int(1),
      },
    },
    softmax: {
      type: 'object',
      fields: {
        weightDecay: num(0),
        maxIter: int(1),
        chooseWeightDecay: { type: 'array', of: num(0) },
        validationFraction: num(0, { exclusiveMin: true, max: 0.5 }),
        standardise: { type: 'enum', values: ['training', 'speaker'] },
        baseline: { type: 'boolean' },
      },
    },
    stacked: {
      type: 'object',
      fields: { layers: { type: 'array', of: int(1), nonEmpty: true }, fineTune: { type: 'boolean' }, fineTuneMaxIter: int(1) },
    },
    conv: {
      type: 'object',
      fields: { patchSize: int(1), bandPatch: int(1, { nullable: true }), poolSize: int(1), poolStride: int(1, { nullable: true }) },
    },
    convAe: {
      type: 'object',
      fields: {
        filters: { type: 'array', of: int(1), nonEmpty: true },
        kernel: { type: 'array', of: int(1), nonEmpty: true },
        pool: { type: 'array', of: int(1), nonEmpty: true },
        frames: int(1),
        pretrainEpochs: int(0),
        fineTuneEpochs: int(0),
        batchSize: int(1),
        learningRate: num(0, { exclusiveMin: true }),
        corruption: num(0, { max: 0.95 }),
        shift: int(0),
        weightDecay: num(0),
        tied: { type: 'boolean' },
      },
    },
    selfTaught: {
      type: 'object',
      fields: {
        unlabeledDigits: { type: 'array', of: int(0, { max: 9 }), nonEmpty: true },
        labeledDigits: { type: 'array', of: int(0, { max: 9 }), nonEmpty: true },
        trainFraction: num(0, { exclusiveMin: true, max: 0.99 }),
        encoder: { type: 'string', nonEmpty: true, nullable: true },
      },
    },
    split: {
      type: 'object',
      fields: {
        kind: { type: 'enum', values: SPLIT_KINDS },
        testFraction: num(0, { exclusiveMin: true, max: 0.99 }),
        testSpeakers: { type: 'array', of: { type: 'string', nonEmpty: true } },
        folds: int(2),
        seed,
      },
    },
    data: {
      type: 'object',
      fields: {
        source: { type: 'enum', values: ['audio', 'mnist'] },
        audioDir: { type: 'string', nonEmpty: true },
        labels: { type: 'enum', values: LABEL_SOURCES },
        pattern: { type: 'string', nonEmpty: true },
        mnistDir: { type: 'string', nonEmpty: true, nullable: true },
        digits: { type: 'array', of: int(0, { max: 9 }), nonEmpty: true },
        count: int(1, { nullable: true }),
      },
    },
    run: {
      type: 'object',
      fields: {
        name: { type: 'string', nonEmpty: true, nullable: true },
        namePrefix: { type: 'string', nonEmpty: true, nullable: true },
        outputs: { type: 'string', nonEmpty: true },
        seed: int(0),
        overwrite: { type: 'boolean' },
      },
    },
    baselines: BASELINES_SCHEMA,
  },
};

/**
 * Checks `value` against `rule` and returns one sentence per problem (empty: valid).
 * partial: objects may omit keys (a config fragment); otherwise every key must be present.
 */
export function validateConfig(value: unknown, rule: Rule, opts: { partial: boolean }, path = ''): string[] {
  const name = path || 'the config';
  switch (rule.type) {
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${name} must be an object (got ${show(value)})`];
      const out: string[] = [];
      const known = Object.keys(rule.fields);
      for (const [key, v] of Object.entries(value)) {
        const sub = path ? `${path}.${key}` : key;
        const fieldRule = rule.fields[key];
        if (!fieldRule) {
          const near = nearest(key, known);
          out.push(`unknown key ${sub}${near ? ` (did you mean ${path ? `${path}.` : ''}${near}?)` : ` (known: ${known.join(', ')})`}`);
        } else {
          out.push(...validateConfig(v, fieldRule, opts, sub));
        }
      }
      if (!opts.partial) {
        for (const key of known) if (!(key in value)) out.push(`${path ? `${path}.` : ''}${key} is missing`);
      }
      return out;
    }
    case 'array': {
      if (!Array.isArray(value)) return [`${name} must be an array (got ${show(value)})`];
      if (rule.nonEmpty && value.length === 0) return [`${name} must not be empty`];
      return value.flatMap((v, i) => validateConfig(v, rule.of, opts, `${path}[${i}]`));
    }
    case 'enum':
      if (value === null && rule.nullable) return [];
      return typeof value === 'string' && rule.values.includes(value)
        ? []
        : [`${name} must be one of ${rule.values.map((v) => `"${v}"`).join(', ')}${rule.nullable ? ' or null' : ''} (got ${show(value)})`];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${name} must be true or false (got ${show(value)})`];
    case 'string':
      if (value === null && rule.nullable) return [];
      if (typeof value !== 'string' || (rule.nonEmpty && value === '')) {
        return [`${name} must be a ${rule.nonEmpty ? 'non-empty ' : ''}string${rule.nullable ? ' or null' : ''} (got ${show(value)})`];
      }
      return [];
    case 'sample-length': {
      const problem = sampleLengthProblem(value, rule.min, rule.orHalf);
      return problem === null ? [] : [`${name} must be ${problem} (got ${show(value)})`];
    }
    case 'number': {
      if (value === null && rule.nullable) return [];
      const ok =
        typeof value === 'number' &&
        Number.isFinite(value) &&
        (!rule.integer || Number.isInteger(value)) &&
        (rule.min === undefined || (rule.exclusiveMin ? value > rule.min : value >= rule.min)) &&
        (rule.max === undefined || value <= rule.max);
      return ok ? [] : [`${name} must be ${describeNumber(rule)} (got ${show(value)})`];
    }
  }
}

function describeNumber(rule: Extract<Rule, { type: 'number' }>): string {
  const parts = [rule.integer ? 'an integer' : 'a number'];
  if (rule.min !== undefined) parts.push(`${rule.exclusiveMin ? '>' : '>='} ${rule.min}`);
  if (rule.max !== undefined) parts.push(`${rule.min !== undefined ? 'and ' : ''}<= ${rule.max}`);
  return parts.join(' ') + (rule.nullable ? ' or null' : '');
}

/** The value as the user wrote it in JSON, shortened. */
function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/** The known key closest to `key` by edit distance, if it is close enough to be a typo. */
function nearest(key: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestD) [best, bestD] = [k, d];
  }
  return bestD <= Math.max(1, Math.floor(key.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
