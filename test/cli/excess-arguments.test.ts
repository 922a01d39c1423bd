import { describe, expect, it } from 'vitest';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/program.ts';
import { SflError } from '../../src/util/errors.ts';
import { runCliAsync } from './run-cli.ts';

/** Every command and subcommand below `c`, with its path of names. */
function allCommands(c: Command, path: string[] = []): { path: string[]; command: Command }[] {
  return c.commands.flatMap((sub) => [{ path: [...path, sub.name()], command: sub }, ...allCommands(sub, [...path, sub.name()])]);
}

/** The program with each command's action replaced by a recorder, so parsing runs no real work. */
async function stubbedProgram(): Promise<{ program: Command; ran: string[] }> {
  const program = await buildProgram();
  const ran: string[] = [];
  for (const c of [program, ...allCommands(program).map((x) => x.command)]) {
    c.exitOverride().configureOutput({ writeOut: () => {}, writeErr: () => {} });
  }
  for (const { path, command } of allCommands(program)) {
    if ((command as unknown as { _actionHandler: unknown })._actionHandler) command.action(() => void ran.push(path.join(' ')));
  }
  return { program, ran };
}

/** A command line that gives `command` exactly what it declares: each argument once (a variadic one twice) and its mandatory options. */
function validArgs(command: Command): string[] {
  const args = command.registeredArguments.flatMap((a) => (a.variadic ? ['arg-1', 'arg-2'] : [a.argChoices?.[0] ?? 'arg-1']));
  const mandatory = command.options.filter((o) => o.mandatory).flatMap((o) => [o.long!, '1']);
  return [...args, ...mandatory];
}

describe('every command refuses an argument it does not take', async () => {
  const withActions = allCommands((await stubbedProgram()).program).filter(
    ({ command }) => (command as unknown as { _actionHandler: unknown })._actionHandler,
  );

  it('covers the commands of the program', () => {
    expect(withActions.map((c) => c.path.join(' '))).toEqual(expect.arrayContaining(['export', 'classify', 'features', 'cache', 'cache clear', 'data mnist', 'runs', 'info']));
  });

  for (const { path } of withActions) {
    const name = path.join(' ');
    it(`sfl ${name}`, async () => {
      const { program, ran } = await stubbedProgram();
      const command = allCommands(program).find((c) => c.path.join(' ') === name)!.command;
      const valid = validArgs(command);
      // What it declares still runs (a variadic argument takes any number).
      await program.parseAsync([...path, ...valid], { from: 'user' });
      expect(ran).toEqual([name]);
      if (command.registeredArguments.at(-1)?.variadic) {
        await program.parseAsync([...path, ...valid, 'arg-3'], { from: 'user' });
        expect(ran).toEqual([name, name]);
        return;
      }
      const refused = program.parseAsync([...path, ...valid, 'surplus-arg'], { from: 'user' });
      await expect(refused).rejects.toThrow(SflError);
      await expect(refused).rejects.toThrow(new RegExp(`unexpected argument 'surplus-arg'.*sfl ${name} takes`));
      expect(ran).toEqual([name]);
    });
  }
});

describe('the refusal as a user sees it', () => {
  it('sfl export <run> --onnx <dir>: names the argument and says --onnx takes no value, exit 1', async () => {
    const r = await runCliAsync(['export', 'some-run', '--onnx', '/tmp/some-dir']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain("unexpected argument '/tmp/some-dir' (--onnx takes no value): sfl export takes one argument, <run>, and options");
  });
});
