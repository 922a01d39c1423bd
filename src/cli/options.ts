/**
 * Commander options made from the flag table (src/pipeline/flags.ts), and the config a command
 * line resolves to. A command lists the config paths it offers; their flags, parsers, choices,
 * help and shown defaults all come from the table, so a flag has one meaning everywhere.
 */
import { Option, type Command } from 'commander';
import { buildConfig, longFlag, type GivenFlag } from '../pipeline/build-config.ts';
import type { Config, PartialConfig } from '../pipeline/config.ts';
import { FLAGS, defaultHelp, type FlagPath, type FlagSpec } from '../pipeline/flags.ts';
import { SflError } from '../util/errors.ts';
import { setQuiet } from '../util/progress.ts';

/** A parser for a flag outside the table (e.g. classify's --top). */
export function intArg(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isInteger(n)) throw new SflError(`${name} must be an integer (got "${v}")`);
    return n;
  };
}

/** The config paths each command offers as flags, kept for reading the given ones back. */
const offered = new WeakMap<Command, FlagPath[]>();

/** Commander's name for an option's value: '--trim-db <db>' -> 'trimDb', '--no-log' -> 'log'. */
function attributeName(spec: FlagSpec): string {
  return new Option(spec.flag).attributeName();
}

/**
 * Adds the flags of these config paths to `cmd`. `defaults` replaces the shown default of a path
 * where the command differs (start's run name); '{default}' in it stands for the table's. No commander defaults: a flag not given stays
 * unset, so the config file's value (or DEFAULT_CONFIG's) stands.
 */
export function addConfigFlags(cmd: Command, paths: readonly FlagPath[], defaults: Partial<Record<FlagPath, string>> = {}): Command {
  for (const path of paths) {
    const spec: FlagSpec = FLAGS[path];
    const shown = defaults[path]?.replace('{default}', String(defaultHelp(spec, path))) ?? defaultHelp(spec, path);
    const opt = new Option(spec.flag, shown === null ? spec.help : `${spec.help} (default: ${shown})`);
    if (spec.choices) opt.choices([...spec.choices]);
    const parse = spec.parse;
    if (parse) opt.argParser((raw: string) => parse(raw, longFlag(spec.flag)));
    cmd.addOption(opt);
    // Old command lines keep working: the flag's former name, hidden from --help.
    if (spec.formerly) {
      const former = new Option(spec.flag.replace(longFlag(spec.flag), spec.formerly)).hideHelp();
      if (parse) former.argParser((raw: string) => parse(raw, spec.formerly!));
      cmd.addOption(former);
    }
    // A negatable switch whose default is on (--no-baseline) also accepts its positive form.
    if (spec.flag.startsWith('--no-') && spec.value === undefined) {
      cmd.addOption(new Option(`--${spec.flag.slice(5)}`, `the default; see ${spec.flag}`));
    }
  }
  offered.set(cmd, [...(offered.get(cmd) ?? []), ...paths]);
  return cmd;
}

/** The config paths whose flags a command offers. */
export function offeredPaths(cmd: Command): FlagPath[] {
  return offered.get(cmd) ?? [];
}

/** The table flags given on this command line (not their defaults), with their parsed values. */
export function givenFlags(cmd: Command): GivenFlag[] {
  const out: GivenFlag[] = [];
  for (const path of offeredPaths(cmd)) {
    const spec: FlagSpec = FLAGS[path];
    const name = attributeName(spec);
    if (cmd.getOptionValueSource(name) === 'cli') out.push({ path, value: cmd.getOptionValue(name) });
    const former = spec.formerly && new Option(spec.formerly).attributeName();
    if (former && cmd.getOptionValueSource(former) === 'cli') {
      process.stderr.write(`note: ${spec.formerly} is now called ${longFlag(spec.flag)}\n`);
      out.push({ path, value: cmd.getOptionValue(former) });
    }
  }
  return out;
}

/** --config and --set: a config file under the flags, and any key over them. */
export function addConfigFileFlags(cmd: Command, example = 'configs/*.json'): Command {
  return cmd
    .option('--config <file>', `start from this JSON config (${example}); flags override its keys one by one`)
    .option('--set <key=value...>', 'override any config key, e.g. --set sae.weightDecay=1e-3 windows.count=50000 (applied after the flags)');
}

/**
 * Lets a test read the config a command line resolves to without running anything: when set,
 * commandConfig hands the config to it and the command stops there.
 */
export const configProbe: { onConfig?: (config: Config) => void } = {};

/** Thrown after configProbe.onConfig so the command goes no further. */
export class ConfigProbed extends Error {}

/**
 * The config of this command line: DEFAULT_CONFIG <- --config (or `file`) <- `command` <- the
 * flags given <- --set (pipeline/build-config.ts). Also applies --quiet.
 */
export async function commandConfig(
  cmd: Command,
  o: { command?: PartialConfig; file?: string | { partial: PartialConfig; source: string }; model?: string; flags?: GivenFlag[]; sets?: string[] } = {},
): Promise<Config> {
  const opts = cmd.opts<{ config?: string; set?: string[]; quiet?: boolean }>();
  if (opts.quiet) setQuiet(true);
  const config = await buildConfig({
    file: o.file ?? opts.config,
    command: o.command,
    flags: o.flags ?? givenFlags(cmd),
    model: o.model,
    sets: o.sets ?? opts.set,
  });
  if (configProbe.onConfig) {
    configProbe.onConfig(config);
    throw new ConfigProbed('config probed');
  }
  return config;
}
