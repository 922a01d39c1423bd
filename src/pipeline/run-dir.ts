/**
 * One output folder per run, written atomically: outputs/<name>/ either holds a complete run or
 * is untouched. Everything is written into outputs/.staging-<name>/ and renamed into place by
 * commit().
 *
 * Claiming a name: creating .staging-<name> with a plain (non-recursive) mkdir is the claim. The
 * file system lets exactly one process create a folder, so two runs started in the same second
 * can never share a name: the loser of an unnamed run tries <name>-2, -3, ...; a named run is
 * refused. The claim holds the owner's pid (and, where the system tells it, the process's start
 * time, so a pid reused by another process is not taken for the owner) in .staging-<name>/.owner,
 * so the claim of a process that died (kill -9) is recognised as stale and removed. A claim ends when the staging folder is
 * renamed to outputs/<name> (so the name is never unclaimed while the run is unfinished) or
 * removed by abort().
 *
 * An existing outputs/<name> (or whatever else the caller says the name owns, like an unfinished
 * checkpoint) is never replaced unless `overwrite` is set; then commit() replaces it:
 *
 *   outputs/<name>  ->  outputs/.trash-<name>-<pid>     (old run moved aside)
 *   staging         ->  outputs/<name>                  (new run in place)
 *   trash deleted
 *
 * So Ctrl-C or a crash at any point leaves the previous complete run readable (or, in the
 * instant between the two renames, in the trash folder, which the next start puts back).
 * Staging folders of interrupted runs are removed by a SIGINT/SIGTERM/SIGHUP/exit handler, and by
 * cleanStaleRuns() on the next RunDir.create() for processes that died without running it
 * (kill -9, a power cut), which says what it removed.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join, relative, resolve, isAbsolute, sep } from 'node:path';
import { SflError } from '../util/errors.ts';
import { environmentError, isEnvironmentError, makeDirs, writeFileNamed } from '../util/fs-errors.ts';
import { sflVersion } from '../util/version.ts';
import type { RunConfig } from './config.ts';

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
  /** the engine of the training costs: 'onnx' (ONNX Runtime) or 'wasm' (tfjs), see src/compute/engine.ts */
  engine: string;
  startedAt: string;
  /** null until commit(). */
  endedAt: string | null;
}

export interface RunDirOptions {
  command: string;
  /** Folder holding all runs (default 'outputs'). */
  root?: string;
  /** Run name; default `<namePrefix>-<YYYYMMDD-HHMMSS>` (made unique if that exists). */
  name?: string | null;
  /** Start of the default name (default: the command). */
  namePrefix?: string | null;
  /** Replace an existing run of this name at commit (default: refuse to start). Unnamed runs never replace. */
  overwrite?: boolean;
  /**
   * Another path the run's name owns besides outputs/<name> (e.g. an unfinished run's checkpoint):
   * a name whose path exists is taken like an existing run, and the refusal says `hint`.
   */
  alsoOwns?: (name: string) => { path: string; hint: string } | null;
  /** Default: process.argv without the node and script paths. */
  argv?: string[];
  /** The resolved config, recorded in run.json. */
  config?: unknown;
  seed?: number;
  /** tfjs backend in use; default: initialise it through src/compute/backend.ts. */
  backend?: string;
  /** engine of the training costs; default: chosen through src/compute/engine.ts. */
  engine?: string;
  /** Default: sfl from package.json, tfjs and node from src/compute/backend.ts. */
  versions?: Partial<RunVersions>;
  /** Clock, for tests. */
  now?: () => Date;
  /** Where the line saying what was cleaned up after interrupted runs goes (default: stderr). */
  log?: (line: string) => void;
}

const STAGING = /^\.staging-(.+)$/;
const TRASH = /^\.trash-(.+)-(\d+)$/;
/** Folders being deleted (renamed first so their name is free at once). */
const REMOVING = /^\.removing-/;
/** Inside a staging folder: the pid of the process writing it. */
const OWNER_FILE = '.owner';
/** A staging folder without an owner file this old was left by a process that died right after claiming it. */
const ORPHAN_CLAIM_MS = 60_000;
const NAME_OK = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** What a user can do when the outputs folder fails them (disk full, read-only, ...). */
const OUTPUTS_ADVICE = 'choose another --outputs folder';

/** Folders of runs this process has used: a file-system error under one is about --outputs. */
const roots = new Set<string>();

/**
 * A file-system error met while writing under a folder of runs (the run itself, a model saved
 * into it, a checkpoint beside it) as a sentence naming that folder; null for other errors.
 */
export function explainRunError(e: unknown): SflError | null {
  if (!isEnvironmentError(e) || !e.path) return null;
  const path = resolve(e.path);
  for (const root of roots) {
    if (path === root || path.startsWith(root + sep)) return environmentError(e, root, OUTPUTS_ADVICE);
  }
  return null;
}

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
    /** commit() may replace an existing run of this name. */
    private readonly replaces: boolean,
  ) {}

  static async create(opts: RunDirOptions): Promise<RunDir> {
    const root = resolve(opts.root ?? 'outputs');
    const now = opts.now ?? (() => new Date());
    makeDirs(root, OUTPUTS_ADVICE);
    roots.add(root);
    // An unnamed run never replaces anything, whatever `overwrite` says.
    const replaces = opts.overwrite === true && opts.name != null;
    let claimed: { name: string; stagingPath: string };
    try {
      const cleaned = await cleanStaleRuns(root);
      if (cleaned.length > 0) (opts.log ?? ((l: string) => process.stderr.write(`${l}\n`)))(cleanupNote(root, cleaned));
      claimed = await claimName(root, opts, replaces);
    } catch (e) {
      throw explainRunError(e) ?? e;
    }
    const { name, stagingPath } = claimed;

    try {
      const info: RunInfo = {
        name,
        command: opts.command,
        argv: opts.argv ?? process.argv.slice(2),
        config: opts.config ?? null,
        seed: opts.seed ?? null,
        versions: { ...(await defaultVersions(opts.versions)) },
        backend: opts.backend ?? (await (await import('../compute/backend.ts')).initBackend()),
        engine: opts.engine ?? (await (await import('../compute/engine.ts')).engine()),
        startedAt: now().toISOString(),
        endedAt: null,
      };
      const run = new RunDir(name, root, stagingPath, join(root, name), info, now, replaces);
      await run.writeJson('run.json', info);
      return run;
    } catch (e) {
      await removeStaging(stagingPath);
      throw explainRunError(e) ?? e;
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
    try {
      makeDirs(dirname(p));
      await writeFileNamed(p, bytes);
    } catch (e) {
      throw explainRunError(e) ?? e;
    }
    return p;
  }

  async writeJson(name: string, obj: unknown): Promise<string> {
    return this.writeFile(name, JSON.stringify(obj, null, 2) + '\n');
  }

  /**
   * Records the end time and moves the run into place, replacing an older run of the same name.
   * `finish` adds what is made from the complete run before it moves (run-finish.ts: its
   * report and TensorFlow.js export); it is passed in because those live in the layers that
   * read runs, which themselves use run folders.
   */
  async commit(finish?: (run: RunDir) => Promise<void>): Promise<string> {
    this.info.endedAt = this.now().toISOString();
    await this.writeJson('run.json', this.info);
    if (finish) await finish(this);
    this.closed = true;
    // The owner file goes first (the claim stays: the staging folder still exists); a stale-claim
    // check in that instant sees a folder without owner that is seconds old, so leaves it alone.
    await unlink(join(this.stagingPath, OWNER_FILE)).catch(() => undefined);
    const trash = join(this.root, `.trash-${this.name}-${process.pid}`);
    let replaced = false;
    if (this.replaces) {
      await rm(trash, { recursive: true, force: true });
      try {
        await rename(this.finalPath, trash);
        replaced = true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
    try {
      // Without `replaces`, a run that appeared meanwhile (not by sfl: its claim stops sfl) makes
      // this rename fail (ENOTEMPTY) rather than be replaced.
      await rename(this.stagingPath, this.finalPath);
    } catch (e) {
      // Put the old run back so a failed commit changes nothing; the staging folder stays
      // tracked and is removed on exit.
      if (replaced) await rename(trash, this.finalPath).catch(() => undefined);
      throw explainRunError(e) ?? new SflError(`could not move run ${this.name} into place: ${(e as Error).message}`, this.finalPath);
    }
    active.delete(this.stagingPath);
    untrackIfIdle();
    if (replaced) await rm(trash, { recursive: true, force: true });
    return this.finalPath;
  }

  /** Discards everything written; an older run of the same name is left as it was. */
  async abort(): Promise<void> {
    if (this.closed && !active.has(this.stagingPath)) return;
    this.closed = true;
    await removeStaging(this.stagingPath);
  }
}

/** The RunDir options given by a config's `run` section. */
export function runOptions(run: RunConfig): Pick<RunDirOptions, 'root' | 'name' | 'namePrefix' | 'overwrite' | 'seed'> {
  return { root: run.outputs, name: run.name, namePrefix: run.namePrefix, overwrite: run.overwrite, seed: run.seed };
}

/** `<command>-<YYYYMMDD-HHMMSS>` in local time (the user's clock, as they will look for it). */
export function defaultRunName(command: string, date: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${date.getFullYear()}${p(date.getMonth() + 1)}${p(date.getDate())}-${p(date.getHours())}${p(date.getMinutes())}${p(date.getSeconds())}`;
  return `${command.replace(/[^A-Za-z0-9._-]+/g, '-')}-${stamp}`;
}

function checkRunName(name: string): void {
  if (!NAME_OK.test(name) || name.length > 200) {
    throw new SflError(`run name ${JSON.stringify(name)} must start with a letter or digit and use only letters, digits, '.', '_' and '-'`);
  }
}

/**
 * Claims a run name in `root` (see the file comment): returns the name and its staging folder,
 * created and holding our pid. An unnamed run takes the first free of <prefix>-<time>, -2, -3...;
 * a named run that is taken is refused with a sentence saying what holds it and what to do.
 */
async function claimName(root: string, opts: RunDirOptions, replaces: boolean): Promise<{ name: string; stagingPath: string }> {
  if (opts.name != null) {
    checkRunName(opts.name);
    const got = await tryClaim(root, opts.name, replaces, opts.alsoOwns);
    if (got.ok) return { name: opts.name, stagingPath: got.stagingPath };
    throw new SflError(got.why);
  }
  const base = defaultRunName(opts.namePrefix ?? opts.command, (opts.now ?? (() => new Date()))());
  for (let i = 1; ; i++) {
    const name = i === 1 ? base : `${base}-${i}`;
    const got = await tryClaim(root, name, replaces, opts.alsoOwns);
    if (got.ok) return { name, stagingPath: got.stagingPath };
  }
}

type Claim = { ok: true; stagingPath: string } | { ok: false; why: string };

async function tryClaim(root: string, name: string, replaces: boolean, alsoOwns: RunDirOptions['alsoOwns']): Promise<Claim> {
  const stagingPath = join(root, `.staging-${name}`);
  for (let attempt = 0; ; attempt++) {
    try {
      await mkdir(stagingPath); // not recursive: fails if another process holds the name
      // Tracked at once, so a concurrent create() in this process never takes it for stale.
      track(stagingPath);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (active.has(stagingPath)) return { ok: false, why: `run ${name} is already being written by this process` };
      // A claim left by a dead process is removed and the name tried once more.
      if (attempt === 0 && (await removeIfStale(root, stagingPath))) continue;
      const pid = await claimOwner(stagingPath);
      return {
        ok: false,
        why: `run ${name} is being written by another sfl process${pid ? ` (pid ${pid})` : ''} in ${root}; wait for it to finish or choose another --name`,
      };
    }
  }
  try {
    const started = processStartTime(process.pid);
    await writeFileNamed(join(stagingPath, OWNER_FILE), `${process.pid}${started === null ? '' : ` ${started}`}\n`);
    const finalPath = join(root, name);
    let why: string | null = null;
    if (existsSync(finalPath) && !replaces) {
      why = `run ${name} already exists in ${finalPath}; pass --overwrite to replace it, or choose another --name (in a config or the library: run.overwrite, run.name)`;
    } else {
      const other = alsoOwns?.(name);
      if (other && existsSync(other.path) && !replaces) why = `run ${name} ${other.hint}`;
    }
    if (why !== null) {
      await removeStaging(stagingPath);
      return { ok: false, why };
    }
    return { ok: true, stagingPath };
  } catch (e) {
    await removeStaging(stagingPath);
    throw e;
  }
}

/** The pid in a staging folder's owner file, or null if it has none (yet). */
async function claimOwner(stagingPath: string): Promise<number | null> {
  return (await claimOwnerOf(stagingPath))?.pid ?? null;
}

/** The owner file: "<pid>" or "<pid> <start time>" (processStartTime; files of earlier versions have the pid only). */
async function claimOwnerOf(stagingPath: string): Promise<{ pid: number; started: string | null } | null> {
  try {
    const [pidText, started] = (await readFile(join(stagingPath, OWNER_FILE), 'utf8')).trim().split(/\s+/);
    const pid = Number.parseInt(pidText, 10);
    return Number.isInteger(pid) && pid > 0 ? { pid, started: started ?? null } : null;
  } catch {
    return null;
  }
}

/**
 * When process `pid` started, as the system counts it (Linux: field 22 of /proc/<pid>/stat, clock
 * ticks since boot), or null where that cannot be read (another system, no such process). Pids
 * are reused, in containers within minutes: a claim records its owner's start time too, so a
 * process that merely got the dead owner's pid does not keep the claim alive forever.
 */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count after its last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/**
 * Removes a staging folder whose process is gone. It is renamed to a unique name first, so the
 * run name is free at once and two processes cleaning up together cannot both act on it.
 */
async function removeIfStale(root: string, stagingPath: string): Promise<boolean> {
  if (!(await stagingIsStale(stagingPath))) return false;
  const aside = join(root, `.removing-${randomBytes(6).toString('hex')}`);
  try {
    await rename(stagingPath, aside);
  } catch {
    return false; // someone else moved it first
  }
  await rm(aside, { recursive: true, force: true });
  return true;
}

async function stagingIsStale(stagingPath: string): Promise<boolean> {
  const owner = await claimOwnerOf(stagingPath);
  if (owner !== null) {
    if (processIsGone(stagingPath, owner.pid)) return true;
    // Alive, but is it the owner? A start time that reads differently is another process's.
    const now = owner.started === null || owner.pid === process.pid ? null : processStartTime(owner.pid);
    return now !== null && now !== owner.started;
  }
  try {
    return Date.now() - (await stat(stagingPath)).mtimeMs > ORPHAN_CLAIM_MS;
  } catch {
    return false;
  }
}

/**
 * Removes staging folders left by processes that are gone, and puts back a run that was moved
 * to the trash by a commit interrupted between its two renames (else deletes the trash).
 * Returns the names of the folders it removed or restored. A live run's folder is never touched.
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
    if (STAGING.test(entry)) {
      if (await removeIfStale(root, full)) done.push(entry);
      continue;
    }
    if (REMOVING.test(entry)) {
      // Left by a process that died while deleting it; nothing else uses these names.
      await rm(full, { recursive: true, force: true });
      done.push(entry);
      continue;
    }
    const trash = TRASH.exec(entry);
    if (!trash || !processIsGone(full, Number(trash[2]))) continue;
    if (!existsSync(join(root, trash[1]))) {
      await rename(full, join(root, trash[1]));
    } else {
      await rm(full, { recursive: true, force: true });
    }
    done.push(entry);
  }
  return done;
}

/** One line for the user: what cleanStaleRuns removed or restored in `root`. */
function cleanupNote(root: string, entries: readonly string[]): string {
  const staged = entries.filter((e) => STAGING.test(e));
  const restored = entries.filter((e) => TRASH.test(e)).map((e) => TRASH.exec(e)![1]);
  const parts: string[] = [];
  if (staged.length > 0) {
    const names = staged.map((e) => STAGING.exec(e)![1]).join(', ');
    parts.push(`removed the unfinished folder${staged.length === 1 ? '' : 's'} of ${staged.length} interrupted run${staged.length === 1 ? '' : 's'} whose process is gone (${names})`);
  }
  if (restored.length > 0) parts.push(`put back run${restored.length === 1 ? '' : 's'} ${restored.join(', ')}, moved aside by an interrupted --overwrite`);
  const rest = entries.length - staged.length - restored.length;
  if (rest > 0) parts.push(`removed ${rest} half-deleted folder${rest === 1 ? '' : 's'}`);
  return `${root}: ${parts.join('; ')}`;
}

/** A folder's process is gone when no such pid runs (or it is ours but the folder is not in use). */
function processIsGone(full: string, pid: number): boolean {
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

// Interrupt handling: while a run is being written, SIGINT/SIGTERM/SIGHUP (Ctrl-C, kill, the
// terminal closed) delete its staging folder and
// then re-raise the signal (the handler is removed first, so the default action ends the process
// with the usual status). 'exit' covers crashes by uncaught exceptions. Handlers exist only while
// a run is open, so library users and tests are not left with global listeners.
let installed = false;
const SIGNALS: readonly NodeJS.Signals[] = process.platform === 'win32' ? ['SIGINT', 'SIGTERM'] : ['SIGINT', 'SIGTERM', 'SIGHUP'];

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
  for (const signal of SIGNALS) process.once(signal, onSignal);
  process.once('exit', removeAllStagingSync);
}

function untrackIfIdle(): void {
  if (!installed || active.size > 0) return;
  installed = false;
  for (const signal of SIGNALS) process.removeListener(signal, onSignal);
  process.removeListener('exit', removeAllStagingSync);
}
