/**
 * The page's pictures, drawn on canvases with the report's colour maps (viz/colormap.ts):
 * a spectrogram (time left to right, low bands at the bottom) and the prediction over time
 * (one row per class, one column per segment, darker = more probable).
 */
import type { Matrix } from '../compute/matrix.ts';
import { blues, viridis } from '../viz/colormap.ts';
import type { SegmentResult } from './page-pipeline.ts';

/**
 * Draws S (frames x bands) one pixel per frame and band, scaled by the canvas. Colours span the
 * recording's 1st to 99.9th percentile, so one click or a silent stretch does not flatten the rest.
 */
export function drawSpectrogram(canvas: HTMLCanvasElement, S: Matrix): void {
  const sorted = Float32Array.from(S.data).sort();
  const lo = sorted[Math.floor(0.01 * (sorted.length - 1))], hi = sorted[Math.floor(0.999 * (sorted.length - 1))];
  const span = hi > lo ? hi - lo : 1;
  const image = new ImageData(S.rows, S.cols);
  for (let t = 0; t < S.rows; t++) {
    for (let b = 0; b < S.cols; b++) {
      const [r, g, bl] = viridis(Math.min(1, Math.max(0, (S.data[t * S.cols + b] - lo) / span)));
      const at = ((S.cols - 1 - b) * S.rows + t) * 4;
      image.data.set([r, g, bl, 255], at);
    }
  }
  const tile = document.createElement('canvas');
  tile.width = S.rows;
  tile.height = S.cols;
  tile.getContext('2d')!.putImageData(image, 0, 0);
  const ctx = canvas.getContext('2d')!;
  ctx.imageSmoothingEnabled = false;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(tile, 0, 0, canvas.width, canvas.height);
}

const LABEL_WIDTH = 48;

/**
 * Probabilities of every class over time: segment i's column spans its start to end time of
 * `seconds` (overlapping segments: the later one is drawn over the earlier from its midpoint).
 */
export function drawTimeline(canvas: HTMLCanvasElement, segments: readonly SegmentResult[], classNames: readonly string[], seconds: number): void {
  const ctx = canvas.getContext('2d')!;
  const W = canvas.width - LABEL_WIDTH, rowH = canvas.height / classNames.length;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.font = `${Math.min(14, Math.max(9, rowH - 2))}px sans-serif`;
  ctx.textBaseline = 'middle';
  ctx.fillStyle = '#222';
  classNames.forEach((name, c) => ctx.fillText(name.slice(0, 6), 2, (c + 0.5) * rowH));
  const x = (s: number) => LABEL_WIDTH + (W * s) / Math.max(seconds, 1e-9);
  segments.forEach((seg, i) => {
    const from = i === 0 ? seg.start : (seg.start + segments[i - 1].end) / 2;
    const to = i === segments.length - 1 ? seg.end : seg.end;
    seg.probabilities.forEach((p, c) => {
      const [r, g, b] = blues(p);
      ctx.fillStyle = `rgb(${r},${g},${b})`;
      ctx.fillRect(x(from), c * rowH, Math.max(1, x(to) - x(from)), rowH);
    });
  });
}
