/**
 * The one way a run's config is built, for every command and for `sfl run`:
 *
 *   DEFAULT_CONFIG <- config file <- what the command fixes (its experiment) <- flags <- --set
 *
 * The layers are merged as partial configs and resolved once from the defaults, so a flag sets
 * exactly its key (the file's other keys stay), keys derived from others (windows.seed from
 * run.seed, normalise from the data source) follow the final values whichever layer set them,
 * and each --set is applied once. Every layer is checked as it is added, so an error names the
 * layer that caused it: the file, the flag, or the --set.
 */
import { CONFIG_SCHEMA, validateConfig } from './config-schema.ts';
import { mergePartials, parseOverride, readConfigFile, resolveConfig, type Config, type PartialConfig } from './config.ts';
import { FLAGS, flagPartial, type FlagSpec } from './flags.ts';
import { SflError } from '../util/errors.ts';

/** A flag given on the command line: the config path it sets (a key of FLAGS) and its parsed value. */
export interface GivenFlag {
  path: string;
  value: unknown;
}

export interface ConfigSources {
  /** A JSON config file (--config, or the argument of `sfl run`), or a partial already read (with the name errors give it). */
  file?: string | { partial: PartialConfig; source: string };
  /** What the command itself fixes, e.g. { experiment: 'conv' }: laid over the file. */
  command?: PartialConfig;
  /** The flags given, in any order (they set distinct keys). */
  flags?: GivenFlag[];
  /** The model argument of `sfl mnist <model>`, for the flags whose path names it. */
  model?: string;
  /** --set key=value overrides, applied last, in order. */
  sets?: string[];
}

export async function buildConfig(s: ConfigSources): Promise<Config> {
  let partial: PartialConfig = {};
  /**
   * Lays a group of layers (the flags; the --sets) over the config at once, so one may fix what
   * another alone would break (--frame 64 --hop 32). When the group fails, a layer whose own
   * value is wrong (a type, a range) is named; a clash between keys names the group.
   */
  const add = (layers: { layer: PartialConfig; source: string }[], groupSource: string) => {
    if (layers.length === 0) return;
    const under = partial;
    partial = layers.reduce((acc, l) => mergePartials(acc, l.layer), under);
    try {
      resolveConfig(partial, layers.length === 1 ? layers[0].source : groupSource);
    } catch (e) {
      for (const l of layers) {
        const problems = validateConfig(l.layer, CONFIG_SCHEMA, { partial: true });
        if (problems.length > 0) throw new SflError(problems.join('; '), l.source);
      }
      throw e;
    }
  };
  if (typeof s.file === 'string') add([{ layer: await readConfigFile(s.file), source: s.file }], s.file);
  else if (s.file) add([{ layer: s.file.partial, source: s.file.source }], s.file.source);
  if (s.command) add([{ layer: s.command, source: 'the command' }], 'the command');
  // Two flags that set one key to different values (--mnist and --audio) are a contradiction, not an order.
  const setBy = new Map<string, { flag: string; value: string }>();
  const flags = (s.flags ?? []).map((f) => {
    const flag = longFlag((FLAGS as Record<string, FlagSpec>)[f.path].flag);
    const layer = flagPartial(f.path, f.value, s.model);
    for (const [key, value] of leaves(layer)) {
      const before = setBy.get(key);
      if (before && before.value !== value) throw new SflError(`${before.flag} and ${flag} contradict each other (both set ${key}); give one`);
      setBy.set(key, { flag, value });
    }
    return { layer, source: flag };
  });
  add(flags, 'command-line flags');
  // --set comes last: it overrides any key, the flags' included.
  add((s.sets ?? []).map((o) => ({ layer: parseOverride(o), source: `--set ${o}` })), '--set');
  return resolveConfig(partial);
}

/** '--trim-db <db>' -> '--trim-db'. */
export function longFlag(flag: string): string {
  return flag.split(/[ ,]/)[0];
}

/** The leaf keys a partial config sets, as dotted paths with their values in JSON. */
function leaves(partial: PartialConfig, prefix = ''): [string, string][] {
  return Object.entries(partial as Record<string, unknown>).flatMap(([k, v]) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? leaves(v as PartialConfig, `${prefix}${k}.`) : [[`${prefix}${k}`, JSON.stringify(v)] as [string, string]],
  );
}
