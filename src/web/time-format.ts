/**
 * Times in a recording as the page prints them: seconds ("0.52") under a minute, m:ss ("2:05.5")
 * from a minute on, with as many decimals as it takes for different times never to print the
 * same. Why not a fixed 0.1 s: two segments whose starts differ by less than that printed alike
 * (a 1.02 s file's segments, before segments.ts folded such a tail into the last segment, both
 * printed "0.0-1.0"); any rule of cutting that gives close starts must still print them apart.
 */

/** At most this many decimals (a millisecond); times closer than that print alike. */
const MAX_DECIMALS = 3;

/** `t` seconds with `decimals` decimals: "12.5" when `minutes` is false, "0:12.5" when true. */
export function formatTime(t: number, decimals: number, minutes: boolean): string {
  // Rounded once, to whole units of the last decimal, so 59.96 at one decimal is 1:00.0, not 0:60.0.
  const unit = 10 ** decimals;
  const total = Math.round(Math.max(0, t) * unit);
  if (!minutes) return (total / unit).toFixed(decimals);
  const m = Math.floor(total / (60 * unit));
  const s = ((total - m * 60 * unit) / unit).toFixed(decimals);
  return `${m}:${s.padStart(decimals > 0 ? decimals + 3 : 2, '0')}`;
}

/**
 * The fewest decimals (at least `min`, at most 3) at which the distinct values of `times` print
 * distinct: 1 for segments every 0.5 s, 2 when one starts at 0.02 s.
 */
export function decimalsToTellApart(times: readonly number[], minutes: boolean, min = 1): number {
  const distinct = [...new Set(times)];
  for (let d = min; d < MAX_DECIMALS; d++) {
    if (new Set(distinct.map((t) => formatTime(t, d, minutes))).size === distinct.length) return d;
  }
  return Math.max(min, MAX_DECIMALS);
}

/** Whether a recording of `seconds` gets its times in m:ss. */
export function usesMinutes(seconds: number): boolean {
  return seconds >= 60;
}

/** "0:00.0-0:12.0" with a formatter made for a recording and the times it will print. */
export function timeFormatter(seconds: number, times: readonly number[]): { time: (t: number) => string; range: (a: number, b: number) => string; unit: string } {
  const minutes = usesMinutes(seconds);
  const d = decimalsToTellApart(times, minutes);
  const time = (t: number) => formatTime(t, d, minutes);
  return { time, range: (a, b) => `${time(a)}–${time(b)}`, unit: minutes ? 'm:ss' : 's' };
}
