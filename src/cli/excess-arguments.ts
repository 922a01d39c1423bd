/**
 * Refusing arguments a command does not take. Commander (v12) accepts and drops them by default, so
 * `sfl export run --onnx out/dir` quietly treated `out/dir` as nothing and wrote the model elsewhere.
 * Commander's own `.allowExcessArguments(false)` says only "too many arguments ... got 2"; this says
 * which argument, what the command takes, and (the usual cause) when it follows a flag that takes no
 * value.
 */
import type { Command, Option } from 'commander';
import { SflError } from '../util/errors.ts';

/**
 * Installs the check on the root `program`: a preAction hook runs for every command and subcommand
 * below it. The root holds the whole command line (rawArgs, commander's own field).
 */
export function refuseExcessArguments(program: Command): void {
  program.hook('preAction', (_root, actionCommand) => {
    const excess = excessArguments(actionCommand);
    if (excess.length > 0) throw new SflError(excessMessage(actionCommand, excess[0], (program as Command & { rawArgs?: string[] }).rawArgs ?? []));
  });
}

/** The operands beyond what `command` declares (none when its last argument is variadic). */
export function excessArguments(command: Command): string[] {
  const declared = command.registeredArguments;
  if (declared.at(-1)?.variadic) return [];
  return command.args.slice(declared.length);
}

/** One sentence: the argument, what the command takes, and a hint when it follows a value-less flag. */
function excessMessage(command: Command, extra: string, rawArgs: readonly string[]): string {
  const name = commandPath(command);
  const declared = command.registeredArguments.map((a) => (a.required ? `<${a.name()}>` : `[${a.name()}]`));
  const takes =
    declared.length === 0
      ? `takes no arguments, only options${command.commands.length ? ` and the subcommands ${command.commands.map((c) => c.name()).join(', ')}` : ''}`
      : `takes ${declared.length === 1 ? 'one argument' : `${declared.length} arguments`}, ${declared.join(' ')}, and options`;
  const flag = valuelessFlagBefore(command, extra, rawArgs);
  const hint = flag ? ` (${flag} takes no value)` : '';
  return `unexpected argument '${extra}'${hint}: sfl ${name} ${takes} (see sfl ${name} --help)`;
}

/** The flag right before `extra` on the command line when it is one of `command`'s flags that takes no value. */
function valuelessFlagBefore(command: Command, extra: string, rawArgs: readonly string[]): string | undefined {
  const at = rawArgs.lastIndexOf(extra);
  if (at < 1) return undefined;
  const before = rawArgs[at - 1];
  const option = command.options.find((o: Option) => o.long === before || o.short === before);
  return option && !option.required && !option.optional ? before : undefined;
}

function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}
