/**
 * Reading a finished (or staging) run folder back: run.json, metrics.json, and the few numbers
 * that say how a run went (final cost, test accuracy, time). Shared by `sfl runs` and the report,
 * so both pick the same headline numbers from whatever metrics an experiment wrote.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SflError } from '../util/errors.ts';
import { readJsonFile } from '../util/json-file.ts';
import type { RunInfo } from './run-dir.ts';
import { readRunMetrics, type RunMetrics } from './run-metrics.ts';

export interface RunRecord {
  /** Folder of the run. */
  path: string;
  info: RunInfo;
  /** metrics.json in the one schema (upgraded when an earlier version wrote it; empty headline when the run wrote none). */
  metrics: RunMetrics;
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
  /** The run's testAccuracy (run-metrics.ts); null when it does not classify. */
  accuracy: number | null;
}

export function readRun(dir: string): RunRecord {
  const runJson = join(dir, 'run.json');
  if (!existsSync(runJson)) throw new SflError('not a run folder (it has no run.json)', dir);
  const info = readJsonFile(runJson) as RunInfo;
  const metricsPath = join(dir, 'metrics.json');
  const raw = existsSync(metricsPath) ? readJsonFile(metricsPath) : {};
  let metrics: RunMetrics;
  try {
    metrics = readRunMetrics(raw, commandExperiment(info));
  } catch (e) {
    throw new SflError((e as Error).message, metricsPath);
  }
  return { path: dir, info, metrics };
}

/** Commands whose name differs from the experiment they run. */
const COMMAND_EXPERIMENT: Record<string, string> = { 'train-sae': 'sae', 'train-softmax': 'softmax', start: 'self-taught' };

/** The experiment a run's command ran, for metrics.json files that do not say. */
function commandExperiment(info: RunInfo): string {
  const config = (info.config ?? {}) as { experiment?: string };
  // `sfl run` takes the pipeline from the config; every other command is its own pipeline
  // (their configs carry the default experiment name, which would mislabel them).
  return info.command === 'run' ? (config.experiment ?? info.command) : (COMMAND_EXPERIMENT[info.command] ?? info.command);
}

export function runHeadline(r: RunRecord): RunHeadline {
  const t0 = Date.parse(r.info.startedAt), t1 = r.info.endedAt ? Date.parse(r.info.endedAt) : NaN;
  return {
    name: r.info.name,
    experiment: commandExperiment(r.info),
    command: r.info.command,
    startedAt: r.info.startedAt,
    seconds: Number.isFinite(t1 - t0) ? (t1 - t0) / 1000 : null,
    finalCost: r.metrics.finalCost,
    accuracy: r.metrics.testAccuracy,
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
