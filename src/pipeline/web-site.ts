/**
 * The browser page of a trained run as static files, for `sfl serve` and `sfl export --web`:
 *
 *   index.html      the page (src/web/index.html), with preload links for what it fetches first
 *   sfl-page.js     its script: src/web/main.ts bundled with esbuild, i.e. the same TypeScript
 *                   front end as Node's (decoding, resampling, spectrogram, windows, pooling) plus
 *                   TensorFlow.js for the networks
 *   chunks/         the parts of it the page loads only when a file needs them: the decoders of
 *                   compressed formats and the resampler (three quarters of the script's bytes;
 *                   the front end imports them dynamically), and code those share
 *   tfjs-wasm/      TensorFlow.js's WebAssembly backend (from its npm package)
 *   model/          the run as `sfl export --tfjs` writes it (frontend.json, encoder/, classifier/)
 *   filters.png     the run's learned filters (what `sfl visualize` draws)
 *   page.json       the run's name, one line about it, and the filters' caption
 */
import { build, type Plugin } from 'esbuild';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { encodePng } from '../viz/png.ts';
import { SflError } from '../util/errors.ts';
import { exportTfjs, tfjsExportRefusal } from './tfjs-export.ts';
import type { TrainedRun } from './trained-run.ts';

const WEB_SOURCES = fileURLToPath(new URL('../web/', import.meta.url));
/** TensorFlow.js's WebAssembly backend's binaries, which the page fetches from tfjs-wasm/. */
const TFJS_WASM = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];
const require = createRequire(import.meta.url);

/** Node's built-in modules, which the browser has not, resolved to the page's stand-ins (src/web/node-shims.ts). */
const nodeShims: Plugin = {
  name: 'sfl-node-shims',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, () => ({ path: join(WEB_SOURCES, 'node-shims.ts') }));
  },
};

/** One file of the page's script: its path under the site's folder, its bytes, and the files it imports statically (site paths). */
export interface ScriptFile {
  path: string;
  contents: Uint8Array;
  staticImports: string[];
}

/** The page's script, bundled, split and minified (built once per process: ~1 s): sfl-page.js first, then chunks/. */
let bundled: Promise<ScriptFile[]> | null = null;
export function pageScript(): Promise<ScriptFile[]> {
  const outdir = 'out'; // under WEB_SOURCES, never written (write is false): it only roots the paths
  const site = (p: string) => relative(outdir, p).split(sep).join('/');
  bundled ??= build({
    entryPoints: { 'sfl-page': join(WEB_SOURCES, 'main.ts') },
    absWorkingDir: WEB_SOURCES,
    bundle: true,
    format: 'esm',
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    outdir,
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    metafile: true,
    logLevel: 'silent',
    plugins: [nodeShims],
  }).then((r) =>
    r.outputFiles
      .map((f) => {
        const key = relative(WEB_SOURCES, f.path).split(sep).join('/');
        const imports = r.metafile.outputs[key]?.imports ?? [];
        return { path: site(key), contents: f.contents, staticImports: imports.filter((i) => i.kind === 'import-statement').map((i) => site(i.path)) };
      })
      .sort((a, b) => Number(b.path === 'sfl-page.js') - Number(a.path === 'sfl-page.js') || a.path.localeCompare(b.path)),
  );
  return bundled;
}

/**
 * index.html with what the page fetches before it is interactive announced in its head. Without
 * it the browser finds each file only once the one before has arrived and run (the script, then
 * its shared chunk, then the WebAssembly, frontend.json, the models' JSON, their weights: six
 * round trips in a row); announced, they all load while the script is parsed. `fetched` are
 * fetched with fetch() (same-origin, hence crossorigin, or the browser would fetch them twice).
 */
function withPreloads(html: string, modules: string[], fetched: string[]): string {
  const links = [
    ...modules.map((m) => `<link rel="modulepreload" href="${m}">`),
    ...fetched.map((f) => `<link rel="preload" href="${f}" as="fetch" crossorigin="anonymous">`),
  ];
  const at = html.indexOf('</head>');
  if (at < 0) throw new Error('src/web/index.html has no </head> to announce its files in');
  return `${html.slice(0, at)}${links.join('\n')}\n${html.slice(at)}`;
}

/** Why this run's page cannot be made (null: it can): a run whose network has no TensorFlow.js export cannot classify in the browser. */
export function webPageRefusal(run: TrainedRun): string | null {
  if (run.cannotClassify) return `${run.cannotClassify}; the page classifies recordings`;
  if (run.input.kind !== 'audio') return `run ${run.dir} classifies images, not recordings; the page classifies audio`;
  const refusal = tfjsExportRefusal(run);
  return refusal ? `${refusal}, so it has no page in the browser` : null;
}

/** Writes the page's files into `dir` (created); returns their paths. */
export async function writeWebSite(run: TrainedRun, dir: string): Promise<string[]> {
  const refusal = webPageRefusal(run);
  if (refusal) throw new SflError(refusal);
  await mkdir(dir, { recursive: true });
  const written = await exportTfjs(run, join(dir, 'model'));
  const script = await pageScript();
  await mkdir(join(dir, 'chunks'), { recursive: true });
  for (const f of script) await writeFile(join(dir, f.path), f.contents);
  // The models' files (JSON and weights) and the binary TensorFlow.js picks in browsers of today (SIMD, no threads: a page not cross-origin isolated).
  const modelFiles = (await readdir(join(dir, 'model'), { recursive: true })).filter((f) => /\.(json|bin)$/.test(f)).map((f) => `model/${f.split(sep).join('/')}`);
  const fetched = ['tfjs-wasm/tfjs-backend-wasm-simd.wasm', 'page.json', ...modelFiles.sort()];
  await writeFile(join(dir, 'index.html'), withPreloads(await readFile(join(WEB_SOURCES, 'index.html'), 'utf8'), script[0].staticImports, fetched));
  const wasmDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  await mkdir(join(dir, 'tfjs-wasm'), { recursive: true });
  for (const f of TFJS_WASM) await copyFile(join(wasmDir, f), join(dir, 'tfjs-wasm', f));
  let filtersCaption: string | null = null;
  try {
    const picture = run.filters();
    await writeFile(join(dir, 'filters.png'), encodePng(picture.image));
    filtersCaption = picture.caption;
    written.push(join(dir, 'filters.png'));
  } catch (e) {
    // A run without a picture of its filters still classifies; the page then hides that section.
    if (!(e instanceof SflError)) throw e;
  }
  await writeFile(join(dir, 'page.json'), JSON.stringify({ run: basename(run.dir), describe: run.describe(), filtersCaption }, null, 2) + '\n');
  return [join(dir, 'index.html'), ...script.map((f) => join(dir, f.path)), ...written, join(dir, 'page.json')];
}
