/**
 * Progress of long stages (L-BFGS iterations, feature extraction). On a terminal: a cli-progress
 * bar with the stage, i/total, key metrics and time left. Elsewhere (a pipe, a CI log, or
 * stdout redirected while the user watches stderr): one plain line at the first update, then at
 * most one per `intervalMs`, and the last state on stop(), so logs stay short and readable.
 * Quiet (the CLI's --quiet, see setQuiet) prints nothing. Output goes to stderr, never stdout,
 * so `--json` output on stdout stays parseable.
 */
import cliProgress from 'cli-progress';

export type Metrics = Record<string, number | string>;

export interface ProgressOptions {
  stage: string;
  total: number;
  /** Default: the global setting from setQuiet(). */
  quiet?: boolean;
  /** Default: process.stderr. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Draw a bar (true) or print plain lines (false). Default: decided from the streams, see above. */
  tty?: boolean;
  /** Least time between plain lines (default 10 s). */
  intervalMs?: number;
  /** Clock in ms, for tests. */
  now?: () => number;
}

export interface Progress {
  /**
   * `done` steps of `total` are finished; metrics are shown as key=value. `done` may be fractional
   * (a file partly read): it is shown with two decimals then, so a bar moves within a long step.
   */
  update(done: number, metrics?: Metrics): void;
  /** Ends the bar, or prints the final plain line. Safe to call twice. */
  stop(): void;
}

let globalQuiet = false;

/** Set once by the CLI from --quiet; progress() calls without `quiet` follow it. */
export function setQuiet(quiet: boolean): void {
  globalQuiet = quiet;
}

export function progress(opts: ProgressOptions): Progress {
  const quiet = opts.quiet ?? globalQuiet;
  if (quiet) return { update() {}, stop() {} };
  const stream = opts.stream ?? process.stderr;
  const tty = opts.tty ?? defaultTty(stream);
  return tty ? barProgress(opts, stream) : lineProgress(opts, stream);
}

function defaultTty(stream: { isTTY?: boolean }): boolean {
  if (!stream.isTTY || process.env.CI) return false;
  // A bar redraws with carriage returns; when stdout is piped to a file alongside stderr that
  // would fill the log with partial lines, so the default stream needs both to be terminals.
  return stream === process.stderr ? Boolean(process.stdout.isTTY) : true;
}

function barProgress(opts: ProgressOptions, stream: NodeJS.WritableStream): Progress {
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: '{stage} [{bar}] {value}/{total} {metrics} | {eta_formatted} left',
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 20,
      fps: 5,
      formatValue: (v: number, _o: unknown, type: string) => (type === 'value' ? formatDone(v) : String(v)),
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(opts.total, 0, { stage: opts.stage, metrics: '' });
  let stopped = false;
  return {
    update(done, metrics = {}) {
      if (!stopped) bar.update(done, { metrics: formatMetrics(metrics) });
    },
    stop() {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
}

function lineProgress(opts: ProgressOptions, stream: NodeJS.WritableStream): Progress {
  const now = opts.now ?? Date.now;
  const interval = opts.intervalMs ?? 10_000;
  const start = now();
  let lastPrinted = -Infinity;
  let last: { done: number; metrics: Metrics } | undefined;
  let stopped = false;

  const line = (done: number, metrics: Metrics, final: boolean) => {
    const elapsed = now() - start;
    const pct = opts.total > 0 ? ` (${Math.floor((100 * done) / opts.total)}%)` : '';
    const m = formatMetrics(metrics);
    const time = final
      ? `in ${formatDuration(elapsed)}`
      : // The first items carry start-up costs: estimate only once 5% of the work or 5 s have passed.
        done > 0 && opts.total > done && (done >= 0.05 * opts.total || elapsed >= 5000)
        ? `${formatDuration((elapsed / done) * (opts.total - done))} left`
        : '';
    stream.write(`${opts.stage} ${formatDone(done)}/${opts.total}${pct}${m ? ` ${m}` : ''}${time ? ` ${final ? 'done ' : ''}${time}` : ''}\n`);
  };

  return {
    update(done, metrics = {}) {
      if (stopped) return;
      last = { done, metrics };
      const t = now();
      if (t - lastPrinted >= interval) {
        lastPrinted = t;
        line(done, metrics, false);
      }
    },
    stop() {
      if (stopped) return;
      stopped = true;
      // The final line always shows, with the total time, even if the last update was printed.
      line(last?.done ?? 0, last?.metrics ?? {}, true);
    },
  };
}

/** Steps done: an integer as it is, a fraction of a step (a file partly read) with two decimals. */
function formatDone(done: number): string {
  // Rounded down: a file nearly read is 0.99, not 1.00, until it is done.
  return Number.isInteger(done) ? String(done) : (Math.floor(done * 100) / 100).toFixed(2);
}

/** cost=0.1235 acc=0.953: 4 significant digits, exponent form for very small or large values. */
export function formatMetrics(metrics: Metrics): string {
  return Object.entries(metrics)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? formatNumber(v) : v}`)
    .join(' ');
}

function formatNumber(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e6) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(3);
  return String(Number(v.toPrecision(4)));
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
