import { describe, expect, it } from 'vitest';
import { formatNumber, linearTicks, logTicks } from '../../src/viz/ticks.ts';

describe('ticks', () => {
  it('picks round linear steps covering the range', () => {
    const t = linearTicks(0.3, 9.2, 5);
    expect(t.values).toEqual([0, 2, 4, 6, 8, 10]);
    expect(t.labels).toEqual(['0', '2', '4', '6', '8', '10']);
    expect(linearTicks(0.81, 0.99, 4).labels).toEqual(['0.8', '0.85', '0.9', '0.95', '1']);
  });

  it('opens a window around a flat series', () => {
    const t = linearTicks(5, 5);
    expect(t.lo).toBeLessThan(5);
    expect(t.hi).toBeGreaterThan(5);
  });

  it('puts log ticks on whole decades', () => {
    expect(logTicks(0.02, 80).labels).toEqual(['0.01', '0.1', '1', '10', '100']);
    expect(logTicks(1e-8, 1e4).values.length).toBeLessThanOrEqual(7);
    expect(() => logTicks(0, 1)).toThrow(/positive/);
  });

  it('formats very large and small numbers in exponent form', () => {
    expect(formatNumber(250000)).toBe('2.5e5');
    expect(formatNumber(0.0001)).toBe('1e-4');
    expect(formatNumber(0.1 + 0.2, 0.1)).toBe('0.3');
  });
});
