/**
 * The package as a user gets it: `npm pack` (which builds dist/), the tarball installed into an
 * empty project without the network (unpacked into node_modules, its dependencies linked from
 * this checkout's node_modules, as an offline install would place them), imported by name from
 * plain Node, the README's library examples run there in order, and its type declarations
 * checked by tsc in a TypeScript file of that project.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { readWav } from '../src/audio/wav.ts';
import { scanLabeledSet } from '../src/data/labeled-set.ts';
import { buildWav } from './audio/wav-fixtures.ts';
import { ROOT } from './cli/run-cli.ts';

const NAME = 'spectral-feature-learning';
const tmp = mkdtempSync(join(tmpdir(), 'sfl-package-'));
const proj = join(tmp, 'project');
let tarball = '';

/** The ```js blocks of the README's "Library" section, in order. */
function readmeExamples(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('## Library');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  return [...section.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
}

const run = promisify(execFile);

/** Runs a program to its end without blocking the test runner (a long synchronous child stalls vitest's worker). */
async function exec(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(cmd, args, { cwd: proj, encoding: 'utf8', maxBuffer: 1 << 26 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : 1, stdout: x.stdout ?? '', stderr: x.stderr ?? String(e) };
  }
}

const node = (file: string) => exec(process.execPath, [file]);

beforeAll(async () => {
  const { stdout: out } = await run('npm', ['pack', '--pack-destination', tmp, '--silent'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 });
  tarball = join(tmp, out.trim().split('\n').pop()!.trim());
  // The empty project, and the install: unpacked package, dependencies linked (no network).
  mkdirSync(join(proj, 'node_modules'), { recursive: true });
  writeFileSync(join(proj, 'package.json'), JSON.stringify({ name: 'uses-sfl', private: true, type: 'module' }));
  await run('tar', ['-xzf', tarball, '-C', tmp]);
  renameSync(join(tmp, 'package'), join(proj, 'node_modules', NAME));
  for (const dep of readdirSync(join(ROOT, 'node_modules'))) {
    if (dep.startsWith('.') || dep === NAME) continue;
    symlinkSync(join(ROOT, 'node_modules', dep), join(proj, 'node_modules', dep));
  }
  // The examples' data: a folder of labelled recordings (two speakers), and a 2-second recording.
  mkdirSync(join(proj, 'my-recordings'));
  const recs = scanLabeledSet(join(ROOT, 'audio/fsdd/recordings')).recordings.filter((r) => (r.speaker === 'jackson' || r.speaker === 'lucas') && r.index! < 15);
  for (const r of recs) copyFileSync(r.path, join(proj, 'my-recordings', basename(r.path)));
}, 300_000);

describe('the packed package', () => {
  it('holds the compiled library with its declarations and the CLI, not the tests', async () => {
    const list = (await run('tar', ['-tzf', tarball], { encoding: 'utf8', maxBuffer: 1 << 26 })).stdout.split('\n');
    for (const f of ['package/dist/index.js', 'package/dist/index.d.ts', 'package/dist/compute/row-kernels.wasm', 'package/bin/sfl.mjs', 'package/src/cli/main.ts']) {
      expect(list, f).toContain(f);
    }
    expect(list.some((f) => f.startsWith('package/test/'))).toBe(false);
  });

  it('imports by name from plain Node, runs the README examples in order, and type-checks', async () => {
    const a = await readWav(join(ROOT, 'audio/fsdd/recordings/3_jackson_20.wav'));
    const b = await readWav(join(ROOT, 'audio/fsdd/recordings/8_jackson_20.wav'));
    // 2.02 s: the last 0.02 s joins the last segment (1.00-2.02 s), and its times print cleanly.
    const both = new Float32Array(Math.round(2.02 * a.sampleRate));
    both.set(a.samples.subarray(0, a.sampleRate));
    both.set(b.samples.subarray(0, a.sampleRate), a.sampleRate);
    writeFileSync(join(proj, 'recording.wav'), buildWav({ encoding: 'pcm16', sampleRate: a.sampleRate, channels: [Array.from(both, (v) => Math.round(v * 32767))] }));

    const examples = readmeExamples();
    expect(examples).toHaveLength(3);
    examples.forEach((code, i) => writeFileSync(join(proj, `example-${i + 1}.mjs`), code));
    const trained = await node('example-1.mjs');
    expect(trained.code, trained.stderr).toBe(0);
    expect(trained.stdout).toMatch(/outputs\/digits: test accuracy \d+\.\d%/);
    expect(existsSync(join(proj, 'outputs', 'digits', 'metrics.json'))).toBe(true);
    const classified = await node('example-2.mjs');
    expect(classified.code, classified.stderr).toBe(0);
    expect(classified.stdout).toMatch(/^recording\.wav: \d; 0\.00-1\.00 s \d, 0\.50-1\.50 s \d, 1\.00-2\.02 s \d$/m);
    const direct = await node('example-3.mjs');
    expect(direct.code, direct.stderr).toBe(0);
    expect(direct.stdout).toMatch(/^\d+ frames x 40 mel bands$/m);
    expect(direct.stdout).toMatch(/^\d \(\d+\.\d%\); \d+ windows x 32 features$/m);

    // TypeScript sees the declarations by the package name.
    writeFileSync(
      join(proj, 'check.ts'),
      [
        `import { loadRun, readRunMetrics, type TrainedRun, type RunMetrics, type SegmentPrediction } from '${NAME}';`,
        `const run: TrainedRun = await loadRun('digits');`,
        `const names: string[] | null = run.classNames;`,
        `const m: RunMetrics = readRunMetrics({}, 'sae');`,
        `const s: SegmentPrediction[] = [];`,
        `// @ts-expect-error: classify takes pictures, not file names`,
        `run.classify(['recording.wav']);`,
        `console.log(names, m.testAccuracy, s.length);`,
      ].join('\n'),
    );
    writeFileSync(join(proj, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types: [] }, files: ['check.ts'] }));
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const t = await exec(process.execPath, [tsc, '-p', proj]);
    expect(t.code, t.stdout + t.stderr).toBe(0);
  }, 300_000);
});
