/**
 * Axis tick positions and their labels: "nice" round steps (1, 2, 5 x 10^k) on a linear axis,
 * whole decades on a log axis, formatted short enough for the small bitmap font.
 */

export interface Ticks {
  /** The axis range to draw (widened from the data range to whole ticks on a linear axis). */
  lo: number;
  hi: number;
  values: number[];
  labels: string[];
}

function niceStep(span: number, target: number): number {
  const raw = span / Math.max(1, target);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

/** Short label for a tick value: plain decimals (as many as `step` needs), or 1e-4 style when very large or small. */
export function formatNumber(v: number, step = 0): string {
  if (v === 0 || Object.is(v, -0)) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) {
    const s = v.toExponential(step > 0 ? Math.max(0, Math.min(3, Math.ceil(-Math.log10(step / a) - 1e-9))) : 2);
    // 1.00e+5 -> 1e5: trailing zeros and '+' only cost width.
    return s.replace(/\.?0+e/, 'e').replace('e+', 'e');
  }
  const decimals = step > 0 ? Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9))) : 3;
  return String(Number(v.toFixed(decimals)));
}

/** Linear ticks covering [lo, hi], about `target` of them; the range is widened to whole steps. */
export function linearTicks(lo: number, hi: number, target = 5): Ticks {
  if (!(hi > lo)) {
    // A flat series still needs an axis: open a window around the single value.
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const step = niceStep(hi - lo, target);
  const first = Math.floor(lo / step + 1e-9) * step;
  const last = Math.ceil(hi / step - 1e-9) * step;
  const values: number[] = [];
  for (let v = first; v <= last + step * 1e-6; v += step) values.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return { lo: first, hi: last, values, labels: values.map((v) => formatNumber(v, step)) };
}

/** Ticks on a log10 axis over positive [lo, hi]: whole decades (thinned when there are many). */
export function logTicks(lo: number, hi: number, target = 6): Ticks {
  if (!(lo > 0) || !(hi > 0)) throw new Error(`logTicks: range must be positive, got [${lo}, ${hi}]`);
  let e0 = Math.floor(Math.log10(lo) + 1e-9);
  let e1 = Math.ceil(Math.log10(hi) - 1e-9);
  if (e1 === e0) e1 = e0 + 1;
  const every = Math.max(1, Math.ceil((e1 - e0) / target));
  e0 = Math.floor(e0 / every) * every;
  e1 = Math.ceil(e1 / every) * every;
  const values: number[] = [];
  for (let e = e0; e <= e1; e += every) values.push(10 ** e);
  const labels = values.map((v, i) => {
    const e = e0 + i * every;
    return e >= -2 && e <= 4 ? formatNumber(v) : `1e${e}`;
  });
  return { lo: 10 ** e0, hi: 10 ** e1, values, labels };
}

/** About `count` indices spread evenly over 0 .. n-1, ends included (ticks on band or frame axes). */
export function spreadIndices(n: number, count: number): number[] {
  if (n <= 1 || count <= 1) return [0];
  if (n <= count) return Array.from({ length: n }, (_, i) => i);
  return [...new Set(Array.from({ length: count }, (_, i) => Math.round((i * (n - 1)) / (count - 1))))];
}
