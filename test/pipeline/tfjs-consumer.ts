/**
 * A consumer of `sfl export --tfjs` written only from frontend.json's description, as a program
 * that does not know sfl would write it: the folder served over HTTP on loopback (as a web server
 * would), the models read by tf.loadLayersModel, the front end done by hand.
 */
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { join, normalize } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Matrix } from '../../src/compute/matrix.ts';
import { fixFrames } from '../../src/features/fixed-length.ts';
import { poolRecordings } from '../../src/features/pooling.ts';
import { allWindows } from '../../src/features/sampler.ts';
import type { FrontendDescription } from '../../src/pipeline/tfjs-export.ts';

/** Serves the files under `root` on 127.0.0.1; returns the base URL and a function that stops it. */
export async function serveFolder(root: string): Promise<{ base: string; close: () => void }> {
  const server: Server = createServer((req, res) => {
    try {
      res.end(readFileSync(join(root, normalize(decodeURIComponent(req.url ?? '/')))));
    } catch {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { base: `http://127.0.0.1:${(server.address() as { port: number }).port}`, close: () => server.close() };
}

export interface LoadedExport {
  frontend: FrontendDescription;
  encoder: tf.LayersModel | null;
  classifier: tf.LayersModel;
  dispose(): void;
}

/** frontend.json and the LayersModels it names, from the exported folder at `url`. */
export async function loadExport(url: string): Promise<LoadedExport> {
  const frontend = (await (await fetch(`${url}/frontend.json`)).json()) as FrontendDescription;
  const encoder = frontend.models.encoder ? await tf.loadLayersModel(`${url}/${frontend.models.encoder}`) : null;
  const classifier = await tf.loadLayersModel(`${url}/${frontend.models.classifier}`);
  return { frontend, encoder, classifier, dispose: () => [encoder, classifier].forEach((m) => m?.dispose()) };
}

function predict(model: tf.LayersModel, X: Matrix): Matrix {
  const out = tf.tidy(() => model.predict(tf.tensor2d(X.data, [X.rows, X.cols])) as tf.Tensor2D);
  const m = { data: out.dataSync() as Float32Array, rows: out.shape[0], cols: out.shape[1] };
  out.dispose();
  return m;
}

function stack(rows: Matrix[]): Matrix {
  const cols = rows[0].data.length;
  const data = new Float32Array(rows.length * cols);
  rows.forEach((r, i) => data.set(r.data, i * cols));
  return { data, rows: rows.length, cols };
}

/** Class probabilities (pictures x classes) of spectrograms or images, as frontend.json says to compute them. */
export function classifyWithExport(e: LoadedExport, pictures: Matrix[]): Matrix {
  const f = e.frontend;
  if (f.windows) {
    const K = f.windows.frames;
    // Shorter than a window: repeat the last frame.
    const padded = pictures.map((S) => {
      if (S.rows >= K) return S;
      const data = new Float32Array(K * S.cols);
      data.set(S.data);
      for (let t = S.rows; t < K; t++) data.set(S.data.subarray((S.rows - 1) * S.cols, S.rows * S.cols), t * S.cols);
      return { data, rows: K, cols: S.cols };
    });
    const { windows, ranges } = allWindows(padded, K);
    const H = predict(e.encoder!, windows);
    return predict(e.classifier, poolRecordings(H, ranges, f.pooling! as never));
  }
  if (f.fixedFrames) return predict(e.classifier, stack(pictures.map((S) => fixFrames(S, f.fixedFrames!.frames, f.fixedFrames!.pad))));
  return predict(e.classifier, stack(pictures));
}

/** Largest absolute difference between two equally long arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths ${a.length} and ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}
