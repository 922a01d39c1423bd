import { describe, expect, it } from 'vitest';
import { ReadAhead } from '../../src/util/read-ahead.ts';

/** Jobs that resolve when the test says, recording which were started. */
function jobs() {
  const started: number[] = [];
  const resolvers = new Map<number, (v: string) => void>();
  const start = (i: number) =>
    new Promise<string>((resolve, reject) => {
      started.push(i);
      resolvers.set(i, (v) => (v === 'fail' ? reject(new Error(`job ${i} failed`)) : resolve(v)));
    });
  return { started, start, finish: (i: number, v = `r${i}`) => resolvers.get(i)!(v) };
}

describe('ReadAhead', () => {
  it('runs at most `ahead` jobs beyond the one taken, and hands results out in order', async () => {
    const j = jobs();
    const r = new ReadAhead(6, j.start, 2);
    const first = r.take(0);
    expect(j.started).toEqual([0, 1, 2]);
    // Later jobs finishing first change nothing: each result is its own job's.
    j.finish(2);
    j.finish(1);
    j.finish(0);
    expect(await first).toBe('r0');
    expect(await r.take(1)).toBe('r1');
    expect(j.started).toEqual([0, 1, 2, 3]);
    const third = r.take(2);
    expect(j.started).toEqual([0, 1, 2, 3, 4]);
    expect(await third).toBe('r2');
  });

  it('a failed job throws when it is taken, not before, and is never unhandled', async () => {
    const j = jobs();
    const r = new ReadAhead(3, j.start, 2);
    const first = r.take(0);
    j.finish(1, 'fail');
    j.finish(0);
    expect(await first).toBe('r0');
    await new Promise((done) => setImmediate(done));
    await expect(r.take(1)).rejects.toThrow('job 1 failed');
    j.finish(2);
    expect(await r.take(2)).toBe('r2');
  });

  it('dispose releases what the jobs started and not taken hold', async () => {
    const j = jobs();
    const r = new ReadAhead(10, j.start, 3);
    const first = r.take(0);
    for (const i of [0, 1, 3]) j.finish(i);
    j.finish(2, 'fail');
    await first;
    const released: string[] = [];
    await r.dispose(async (v) => void released.push(v));
    expect(released).toEqual(['r1', 'r3']);
    expect(j.started).toEqual([0, 1, 2, 3]);
  });
});
