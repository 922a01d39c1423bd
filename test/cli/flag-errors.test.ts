import { describe, expect, it } from 'vitest';
import { runCliAsync } from './run-cli.ts';

describe('a mistyped flag or flag value', () => {
  it('is the error and one line pointing to --help, not the error above the whole help', async () => {
    for (const args of [['train-sae', '--transform', 'foo'], ['train-sae', '--hiden', '5']]) {
      const r = await runCliAsync(args);
      expect(r.code).toBe(1);
      const lines = r.stderr.trim().split('\n').filter((l) => l.trim() !== '');
      expect(lines[0]).toMatch(/^error: (option '--transform <name>' argument 'foo' is invalid|unknown option '--hiden')/);
      expect(lines.at(-1)).toBe("(sfl --help lists the commands, sfl <command> --help a command's flags and their values)");
      expect(lines.length).toBeLessThanOrEqual(3);
      expect(r.stderr).not.toContain('Usage:');
    }
  }, 60_000);
});
