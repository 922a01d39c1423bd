/**
 * Ticks of the page's time axis: round steps of seconds (0.05 ... 5, then 10, 15, 30 s, then whole
 * minutes), the smallest step that leaves room between labels, labelled as the page prints times
 * (web/time-format.ts: seconds under a minute, m:ss from one on).
 */
import { formatTime, usesMinutes } from './time-format.ts';

const STEPS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600];

export interface TimeTick {
  seconds: number;
  label: string;
}

/** Ticks from 0 to `seconds` for an axis `width` pixels long, at least `spacing` pixels apart. */
export function timeTicks(seconds: number, width: number, spacing: number): TimeTick[] {
  if (!(seconds > 0) || !(width > 0)) return [];
  const perSecond = width / seconds;
  const step = STEPS.find((s) => s * perSecond >= spacing) ?? Math.ceil(seconds / 3600) * 3600;
  const decimals = (String(step).split('.')[1] ?? '').length; // 0.25 s steps print 0.25, 0.50
  const minutes = usesMinutes(seconds);
  const out: TimeTick[] = [];
  for (let i = 0; i * step <= seconds + 1e-9; i++) {
    const t = Number((i * step).toFixed(6));
    out.push({ seconds: t, label: formatTime(t, decimals, minutes) });
  }
  return out;
}
