import { describe, expect, it } from 'vitest';
import { nextStepsLine, runArgument, sflCommand } from '../../src/cli/next-steps.ts';

describe('the next-steps line of a training command', () => {
  it('names the command as the user started it', () => {
    expect(sflCommand({ npm_lifecycle_event: 'sfl' })).toBe('npm run sfl --');
    expect(sflCommand({ npm_lifecycle_event: 'start' })).toBe('sfl');
    expect(sflCommand({})).toBe('sfl');
  });

  it('gives the run folder relative to the current folder when inside it, quoted when it has spaces', () => {
    expect(runArgument('/home/me/project/outputs/run-1', '/home/me/project')).toBe('outputs/run-1');
    expect(runArgument('/data/runs/run-1', '/home/me/project')).toBe('/data/runs/run-1');
    expect(runArgument('/home/me/project/outputs/my run', '/home/me/project')).toBe("'outputs/my run'");
    expect(runArgument("/tmp/it's", '/home')).toBe("'/tmp/it'\\''s'");
  });

  it('offers classify for a classifier and visualize/encode for features', () => {
    const c = nextStepsLine('/p/outputs/r', 'audio-classifier', { npm_lifecycle_event: 'sfl' }, '/p');
    expect(c).toContain('`npm run sfl -- classify outputs/r <files or folders>`');
    expect(c).toContain('outputs/r/report.html');
    const f = nextStepsLine('/p/outputs/r', 'features', {}, '/p');
    expect(f).toContain('`sfl visualize outputs/r --top 50`');
    expect(f).toContain('`sfl encode outputs/r <files or folders> --out features.npy`');
  });
});
