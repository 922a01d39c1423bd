/**
 * Reading a finished (or staging) run folder back: run.json, metrics.json, and the few numbers
 * that say how a run went (final cost, test accuracy, time). Shared by `sfl runs` and the report,
 * so both pick the same headline numbers from whatever metrics an experiment wrote.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SflError } from '../util/errors.ts';
import type { RunInfo } from './run-dir.ts';

export interface RunRecord {
  /** Folder of the run. */
  path: string;
  info: RunInfo;
  /** metrics.json, or {} when the run wrote none. */
  metrics: Record<string, unknown>;
}

export interface RunHeadline {
  name: string;
  /** config.experiment, else the command that made the run (older runs, train-sae). */
  experiment: string;
  command: string;
  startedAt: string;
  /** Wall-clock seconds from start to commit; null when unknown. */
  seconds: number | null;
  finalCost: number | null;
  /** Test accuracy when the run measured one (else any accuracy it reported). */
  accuracy: number | null;
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new SflError((e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file is missing' : `cannot read it (${(e as Error).message})`, path);
  }
}

export function readRun(dir: string): RunRecord {
  const runJson = join(dir, 'run.json');
  if (!existsSync(runJson)) throw new SflError('not a run folder (it has no run.json)', dir);
  const info = readJson(runJson) as RunInfo;
  const metricsPath = join(dir, 'metrics.json');
  const metrics = existsSync(metricsPath) ? (readJson(metricsPath) as Record<string, unknown>) : {};
  return { path: dir, info, metrics };
}

/** Scalar metrics with nested objects flattened to dotted keys; arrays (histories) are left out. */
export function flatMetrics(m: Record<string, unknown>, prefix = ''): [string, number | string | boolean][] {
  const out: [string, number | string | boolean][] = [];
  for (const [k, v] of Object.entries(m)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') out.push([key, v]);
    else if (v && typeof v === 'object' && !Array.isArray(v)) out.push(...flatMetrics(v as Record<string, unknown>, key));
  }
  return out;
}

function firstNumber(flat: [string, unknown][], tests: RegExp[]): number | null {
  for (const re of tests) {
    const hit = flat.find(([k, v]) => re.test(k) && typeof v === 'number' && Number.isFinite(v));
    if (hit) return hit[1] as number;
  }
  return null;
}

/** Commands whose name differs from the experiment they run. */
const COMMAND_EXPERIMENT: Record<string, string> = { 'train-sae': 'sae', 'train-softmax': 'softmax', start: 'self-taught' };

/** The final test accuracy: after fine-tuning where there is one; 1 - testError for error-reporting runs. */
function testAccuracy(flat: [string, unknown][]): number | null {
  const acc = firstNumber(flat, [/^testAccuracy$/i, /^test\.accuracy$/i, /^afterFineTune\..*accuracy$/i, /test.*accuracy|accuracy.*test/i]);
  if (acc !== null) return acc;
  const err = firstNumber(flat, [/^testError$/i]);
  return err !== null ? 1 - err : firstNumber(flat, [/accuracy$/i]);
}

export function runHeadline(r: RunRecord): RunHeadline {
  const flat = flatMetrics(r.metrics);
  const config = (r.info.config ?? {}) as { experiment?: string };
  const t0 = Date.parse(r.info.startedAt), t1 = r.info.endedAt ? Date.parse(r.info.endedAt) : NaN;
  return {
    name: r.info.name,
    // `sfl run` takes the pipeline from the config; every other command is its own pipeline
    // (their configs carry the default experiment name, which would mislabel them).
    experiment: r.info.command === 'run' ? (config.experiment ?? r.info.command) : (COMMAND_EXPERIMENT[r.info.command] ?? r.info.command),
    command: r.info.command,
    startedAt: r.info.startedAt,
    seconds: Number.isFinite(t1 - t0) ? (t1 - t0) / 1000 : null,
    finalCost: firstNumber(flat, [/^finalCost$/i, /finalCost$/i, /(^|\.)cost$/i]),
    accuracy: testAccuracy(flat),
  };
}

/** Every complete run under `root` (staging and trash folders skipped), newest first. */
export function listRuns(root: string): RunHeadline[] {
  if (!existsSync(root)) return [];
  const out: RunHeadline[] = [];
  for (const entry of readdirSync(root)) {
    const dir = join(root, entry);
    if (entry.startsWith('.') || !statSync(dir).isDirectory() || !existsSync(join(dir, 'run.json'))) continue;
    try {
      out.push(runHeadline(readRun(dir)));
    } catch {
      // A damaged run.json should not hide the other runs; `sfl report` on it names the problem.
    }
  }
  return out.sort((a, b) => b.startedAt.localeCompare(a.startedAt) || a.name.localeCompare(b.name));
}

/** 0.9731 -> "97.31%"; a value outside [0, 1] is shown as it is. */
export function formatAccuracy(a: number): string {
  return a >= 0 && a <= 1 ? `${(a * 100).toFixed(2)}%` : String(a);
}

export function formatValue(v: number | string | boolean): string {
  if (typeof v !== 'number') return String(v);
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(4) : String(Number(v.toPrecision(6)));
}
