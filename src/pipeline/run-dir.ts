/**
 * One output folder per run, written atomically: outputs/<name>/ either holds a complete run or
 * is untouched. Everything is written into outputs/.staging-<name>-<pid>/ and renamed into place
 * by commit(). A re-run with the same name replaces the old run only at that moment:
 *
 *   outputs/<name>  ->  outputs/.trash-<name>-<pid>     (old run moved aside)
 *   staging         ->  outputs/<name>                  (new run in place)
 *   trash deleted
 *
 * So Ctrl-C or a crash at any point leaves the previous complete run readable (or, in the
 * instant between the two renames, in the trash folder, which the next start puts back).
 * Staging folders of interrupted runs are removed by a SIGINT/SIGTERM/exit handler, and by
 * cleanStaleRuns() on the next RunDir.create() for processes that died without running it.
 */
import { existsSync, rmSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, isAbsolute } from 'node:path';
import { SflError } from '../util/errors.ts';
import { sflVersion } from '../util/version.ts';

export interface RunVersions {
  sfl: string;
  tfjs: string;
  node: string;
}

/** Contents of run.json: enough to tell how a run's outputs were made. */
export interface RunInfo {
  name: string;
  command: string;
  argv: string[];
  config: unknown;
  seed: number | null;
  versions: RunVersions;
  backend: string;
  startedAt: string;
  /** null until commit(). */
  endedAt: string | null;
}

export interface RunDirOptions {
  command: string;
  /** Folder holding all runs (default 'outputs'). */
  root?: string;
  /** Run name; default `<command>-<YYYYMMDD-HHMMSS>` (made unique if that exists). */
  name?: string | null;
  /** Default: process.argv without the node and script paths. */
  argv?: string[];
  /** The resolved config, recorded in run.json. */
  config?: unknown;
  seed?: number;
  /** tfjs backend in use; default: initialise it through src/compute/backend.ts. */
  backend?: string;
  /** Default: sfl from package.json, tfjs and node from src/compute/backend.ts. */
  versions?: Partial<RunVersions>;
  /** Clock, for tests. */
  now?: () => Date;
}

const STAGING = /^\.staging-(.+)-(\d+)$/;
const TRASH = /^\.trash-(.+)-(\d+)$/;
const NAME_OK = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Staging folders of this process that are not yet committed or aborted. */
const active = new Set<string>();

export class RunDir {
  private closed = false;

  private constructor(
    readonly name: string,
    readonly root: string,
    /** Where the run is written until commit(). */
    readonly stagingPath: string,
    /** Where the run will be after commit(). */
    readonly finalPath: string,
    readonly info: RunInfo,
    private readonly now: () => Date,
  ) {}

  static async create(opts: RunDirOptions): Promise<RunDir> {
    const root = resolve(opts.root ?? 'outputs');
    const now = opts.now ?? (() => new Date());
    await mkdir(root, { recursive: true });
    await cleanStaleRuns(root);

    let name = opts.name ?? null;
    if (name !== null) {
      checkRunName(name);
    } else {
      // A default name that already exists (two runs in one second) gets a suffix rather than
      // replacing a run the user never named.
      const base = defaultRunName(opts.command, now());
      name = base;
      for (let i = 2; existsSync(join(root, name)); i++) name = `${base}-${i}`;
    }

    const stagingPath = join(root, `.staging-${name}-${process.pid}`);
    if (active.has(stagingPath)) throw new SflError(`run ${name} is already being written by this process`);
    await rm(stagingPath, { recursive: true, force: true });
    await mkdir(stagingPath, { recursive: true });
    track(stagingPath);

    try {
      const info: RunInfo = {
        name,
        command: opts.command,
        argv: opts.argv ?? process.argv.slice(2),
        config: opts.config ?? null,
        seed: opts.seed ?? null,
        versions: { ...(await defaultVersions(opts.versions)) },
        backend: opts.backend ?? (await (await import('../compute/backend.ts')).initBackend()),
        startedAt: now().toISOString(),
        endedAt: null,
      };
      const run = new RunDir(name, root, stagingPath, join(root, name), info, now);
      await run.writeJson('run.json', info);
      return run;
    } catch (e) {
      await removeStaging(stagingPath);
      throw e;
    }
  }

  /** Absolute path of `file` inside the run (the staging folder until commit). */
  path(file: string): string {
    if (this.closed) throw new Error(`run ${this.name} is already committed or aborted`);
    const full = resolve(this.stagingPath, file);
    const rel = relative(this.stagingPath, full);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
      throw new SflError(`run file name ${JSON.stringify(file)} must stay inside the run folder`);
    }
    return full;
  }

  async writeFile(name: string, bytes: Uint8Array | string): Promise<string> {
    const p = this.path(name);
    await mkdir(dirname(p), { recursive: true });
    await writeFile(p, bytes);
    return p;
  }

  async writeJson(name: string, obj: unknown): Promise<string> {
    return this.writeFile(name, JSON.stringify(obj, null, 2) + '\n');
  }

  /** Records the end time and moves the run into place, replacing an older run of the same name. */
  async commit(): Promise<string> {
    this.info.endedAt = this.now().toISOString();
    await this.writeJson('run.json', this.info);
    await this.ensureReport();
    this.closed = true;
    const trash = join(this.root, `.trash-${this.name}-${process.pid}`);
    await rm(trash, { recursive: true, force: true });
    let replaced = false;
    try {
      await rename(this.finalPath, trash);
      replaced = true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    try {
      await rename(this.stagingPath, this.finalPath);
    } catch (e) {
      // Put the old run back so a failed commit changes nothing; the staging folder stays
      // tracked and is removed on exit.
      if (replaced) await rename(trash, this.finalPath).catch(() => undefined);
      throw new SflError(`could not move run ${this.name} into place: ${(e as Error).message}`, this.finalPath);
    }
    active.delete(this.stagingPath);
    untrackIfIdle();
    await rm(trash, { recursive: true, force: true });
    return this.finalPath;
  }

  /**
   * Every run gets its report.html: built here unless the experiment wrote one. A report that
   * cannot be built is a warning, never the loss of the run it describes.
   */
  private async ensureReport(): Promise<void> {
    const { REPORT_FILE, writeReport } = await import('./report.ts');
    if (existsSync(join(this.stagingPath, REPORT_FILE))) return;
    try {
      await writeReport(this.stagingPath);
    } catch (e) {
      process.stderr.write(`warning: run ${this.name}: report.html not written: ${(e as Error).message}\n`);
    }
  }

  /** Discards everything written; an older run of the same name is left as it was. */
  async abort(): Promise<void> {
    if (this.closed && !active.has(this.stagingPath)) return;
    this.closed = true;
    await removeStaging(this.stagingPath);
  }
}

/** `<command>-<YYYYMMDD-HHMMSS>` in local time (the user's clock, as they will look for it). */
export function defaultRunName(command: string, date: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${date.getFullYear()}${p(date.getMonth() + 1)}${p(date.getDate())}-${p(date.getHours())}${p(date.getMinutes())}${p(date.getSeconds())}`;
  return `${command.replace(/[^A-Za-z0-9._-]+/g, '-')}-${stamp}`;
}

export function checkRunName(name: string): void {
  if (!NAME_OK.test(name) || name.length > 200) {
    throw new SflError(`run name ${JSON.stringify(name)} must start with a letter or digit and use only letters, digits, '.', '_' and '-'`);
  }
}

/**
 * Removes staging folders left by processes that are gone, and puts back a run that was moved
 * to the trash by a commit interrupted between its two renames (else deletes the trash).
 * Returns the names of the folders it removed or restored.
 */
export async function cleanStaleRuns(root: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(root);
  } catch {
    return [];
  }
  const done: string[] = [];
  for (const entry of entries) {
    const full = join(root, entry);
    const staging = STAGING.exec(entry);
    const trash = TRASH.exec(entry);
    const match = staging ?? trash;
    if (!match || !isStale(full, Number(match[2]))) continue;
    if (trash && !existsSync(join(root, trash[1]))) {
      await rename(full, join(root, trash[1]));
    } else {
      await rm(full, { recursive: true, force: true });
    }
    done.push(entry);
  }
  return done;
}

/** A folder is stale when the process that made it is gone (or it is ours but not in use). */
function isStale(full: string, pid: number): boolean {
  if (pid === process.pid) return !active.has(full);
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

async function defaultVersions(given: Partial<RunVersions> = {}): Promise<RunVersions> {
  const sfl = given.sfl ?? sflVersion();
  if (given.tfjs !== undefined && given.node !== undefined) return { sfl, tfjs: given.tfjs, node: given.node };
  const v = (await import('../compute/backend.ts')).versions();
  return { sfl, tfjs: given.tfjs ?? v.tfjs, node: given.node ?? v.node };
}

async function removeStaging(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
  active.delete(path);
  untrackIfIdle();
}

// Interrupt handling: while a run is being written, SIGINT/SIGTERM delete its staging folder and
// then re-raise the signal (the handler is removed first, so the default action ends the process
// with the usual status). 'exit' covers crashes by uncaught exceptions. Handlers exist only while
// a run is open, so library users and tests are not left with global listeners.
let installed = false;

function removeAllStagingSync(): void {
  for (const p of active) rmSync(p, { recursive: true, force: true });
  active.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  removeAllStagingSync();
  untrackIfIdle();
  process.kill(process.pid, signal);
}

function track(path: string): void {
  active.add(path);
  if (installed) return;
  installed = true;
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', removeAllStagingSync);
}

function untrackIfIdle(): void {
  if (!installed || active.size > 0) return;
  installed = false;
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
  process.removeListener('exit', removeAllStagingSync);
}
