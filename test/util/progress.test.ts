import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { formatDuration, formatMetrics, progress } from '../../src/util/progress.ts';

function capture(isTTY = false) {
  const stream = Object.assign(new PassThrough(), { isTTY });
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  return { stream, text: () => text };
}

describe('progress', () => {
  it('without a terminal prints throttled plain lines and a final line', () => {
    const out = capture();
    let t = 0;
    const p = progress({ stage: 'L-BFGS', total: 400, stream: out.stream, intervalMs: 5000, now: () => t, quiet: false });
    for (let i = 1; i <= 400; i++) {
      t = i * 100; // 0.1 s per iteration: 40 s in all
      p.update(i, { cost: 1 / i, acc: 0.5 });
    }
    p.stop();
    p.stop();
    const lines = out.text().trim().split('\n');
    // First update, then every 5 s (t = 5.1 s, 10.1 s, ... 35.1 s), then the final line.
    expect(lines.length).toBe(9);
    // No estimate from the first item alone (it carries the start-up costs).
    expect(lines[0]).toBe('L-BFGS 1/400 (0%) cost=1 acc=0.5');
    expect(lines[1]).toMatch(/^L-BFGS 51\/400 \(12%\) cost=0\.01961 acc=0\.5 \d+s left$/);
    expect(lines.at(-1)).toBe('L-BFGS 400/400 (100%) cost=0.0025 acc=0.5 done in 40s');
    expect(out.text()).not.toMatch(/\r|\x1b/);
  });

  it('shows a step partly done (a long file partly read) with two decimals and its percentage', () => {
    const out = capture();
    let t = 0;
    const p = progress({ stage: 'spectra', total: 1, stream: out.stream, intervalMs: 5000, now: () => t, quiet: false });
    p.update(0.004);
    t = 10_000;
    p.update(0.4237);
    t = 20_000;
    p.update(1);
    p.stop();
    const lines = out.text().trim().split('\n');
    expect(lines[0]).toBe('spectra 0.00/1 (0%)');
    expect(lines[1]).toMatch(/^spectra 0\.42\/1 \(42%\) \d+s left$/);
    expect(lines.at(-1)).toBe('spectra 1/1 (100%) done in 20s');
  });

  it('prints nothing when quiet', () => {
    const out = capture(true);
    const p = progress({ stage: 'x', total: 3, stream: out.stream, quiet: true });
    p.update(1, { cost: 1 });
    p.stop();
    expect(out.text()).toBe('');
  });

  it('draws a bar on a terminal', () => {
    const out = capture(true);
    const p = progress({ stage: 'softmax', total: 10, stream: out.stream, tty: true, quiet: false });
    p.update(10, { cost: 0.25 });
    p.stop();
    expect(out.text()).toContain('softmax');
    expect(out.text()).toContain('10/10 cost=0.25');
  });

  it('formats metrics and durations compactly', () => {
    expect(formatMetrics({ cost: 0.123456, lr: 1e-5, n: 3, note: 'ok' })).toBe('cost=0.1235 lr=1.000e-5 n=3 note=ok');
    expect(formatDuration(65_000)).toBe('1m05s');
    expect(formatDuration(3_720_000)).toBe('1h02m');
  });
});
