/**
 * Pictures of the stacked and convolutional models' units, at the quality of the sparse
 * autoencoder's (models/sae/filter-picture.ts): in the input space, with axes and a stated order.
 *
 *  - Stacked, MNIST: the first layer as the grey UFLDL grid; a second layer's units each as the
 *    combination of the first-layer filters it weights most (viz/unit-combination.ts).
 *  - Stacked, audio: the stacked network's input is pooled window-autoencoder features, so each of
 *    its first-layer units is drawn as the combination of the window autoencoder's spectro-temporal
 *    patches it weights most (weights summed over the pooled segments and statistics of a window
 *    unit), in the filter atlas (Hz, ms, a colour bar); a second layer likewise, one level up.
 *  - Convolutional autoencoder: first-layer kernels; on spectrograms, as an atlas with time to
 *    the right and band offset upwards (the kernel slides over frequency, so no Hz).
 */
import type { Matrix } from '../compute/matrix.ts';
import type { StackedClassifier } from '../models/classifier-model.ts';
import { firstLayerFilters } from '../models/conv-ae/conv-autoencoder.ts';
import type { ConvAeClassifier } from '../models/conv-ae/saved-model.ts';
import { audioUnitAtlas, filterPicture, type SpectroInput } from '../models/sae/filter-picture.ts';
import type { SaeModel } from '../models/sae/saved-model.ts';
import { filterAtlas } from '../viz/filter-atlas.ts';
import { filterGrid } from '../viz/filter-grid.ts';
import type { RgbaImage } from '../viz/raster.ts';
import { strongestCombination } from '../viz/unit-combination.ts';
import { encodePng } from '../viz/png.ts';
import type { RunDir } from './run-dir.ts';

export interface UnitPicture {
  image: RgbaImage;
  caption: string;
}

/** Caption file written beside a picture: report.html shows it under the picture. */
const captionFile = (pngName: string) => pngName.replace(/\.png$/, '') + '.caption.txt';

/** `<name>.png` and its caption beside it. */
export async function writePicture(run: RunDir, name: string, p: UnitPicture): Promise<void> {
  await run.writeFile(`${name}.png`, encodePng(p.image));
  await run.writeFile(captionFile(`${name}.png`), p.caption + '\n');
}

/** Lower units combined per higher unit: enough to show a shape, few enough to name. */
const PARTS = 5;
/** Units drawn in an audio atlas of a stacked layer: the strongest, so the picture stays one screen. */
const STACKED_TOP = 60;

type Stacked = Pick<StackedClassifier, 'model' | 'preprocessor' | 'input'>;

/** Weights of stacked layer `l` (0-based), units x inputs; layer 0 brought back through the run's preprocessing. */
function layerWeights(c: Stacked, l: number): Matrix {
  const s = c.model.layerSizes;
  const W = { data: Float32Array.from(c.model.params.layers[l].W), rows: s[l + 1], cols: s[l] };
  return l === 0 ? c.preprocessor.filtersToInputSpace(W) : W;
}

/** Pooled-feature weights (units x hidden * blocks) summed per window unit: units x hidden. */
function perWindowUnit(W: Matrix, hidden: number): Matrix {
  if (W.cols % hidden !== 0) throw new Error(`stacked picture: ${W.cols} pooled inputs are not a whole number of blocks of ${hidden} window units`);
  const out = { data: new Float32Array(W.rows * hidden), rows: W.rows, cols: hidden };
  for (let j = 0; j < W.rows; j++) for (let i = 0; i < W.cols; i++) out.data[j * hidden + (i % hidden)] += W.data[j * W.cols + i];
  return out;
}

/**
 * Each stacked layer's units in the input space: for MNIST, layer 1 = its weights, deeper layers
 * = combinations of the layer below; for audio, every layer = combinations of the window
 * autoencoder's patches (layer 1) or of the layer below.
 */
function layerPictures(c: Stacked, windowSae: SaeModel | null, layers: number) {
  let below: Matrix;
  let view = '';
  if (windowSae) {
    const w = filterPicture(windowSae);
    below = w.patches!;
    view = w.view === 'atoms' ? 'decoder atoms' : 'de-whitened filters';
  } else {
    below = layerWeights(c, 0);
  }
  const out: { pictures: Matrix; parts: { unit: number; weight: number }[][] | null }[] = [];
  for (let l = 0; l < layers; l++) {
    if (!windowSae && l === 0) {
      out.push({ pictures: below, parts: null });
      continue;
    }
    const W = l === 0 ? perWindowUnit(layerWeights(c, 0), windowSae!.hyper.hidden) : layerWeights(c, l);
    const comb = strongestCombination(W, below, PARTS);
    out.push(comb);
    below = comb.pictures;
  }
  return { layers: out, view };
}

function describeParts(parts: { unit: number; weight: number }[][], what: string): string {
  const first = parts[0];
  if (!first) return '';
  const terms = first.map((p, i) => `${p.weight < 0 ? (i ? '- ' : '-') : i ? '+ ' : ''}${Math.abs(p.weight).toPrecision(2)} x ${what} ${p.unit + 1}`);
  return ` For example, unit 1 = ${terms.join(' ')}.`;
}

/** Stacked layer `layer` (1-based); null when the network has no such layer. */
export function stackedLayerPicture(c: Stacked, windowSae: SaeModel | null, layer: number): UnitPicture | null {
  const hidden = c.model.layerSizes.length - 1;
  if (layer < 1 || layer > hidden) return null;
  const { layers, view } = layerPictures(c, windowSae, layer);
  const { pictures, parts } = layers[layer - 1];
  const lower = layer === 1 ? (windowSae ? `window-autoencoder unit` : '') : `layer-${layer - 1} unit`;
  if (!windowSae) {
    if (c.input.kind !== 'image') throw new Error('stacked picture: a network on audio windows needs its window autoencoder');
    const image = filterGrid(pictures, { tileWidth: c.input.width, tileHeight: c.input.height, scale: 2 });
    const caption =
      layer === 1
        ? `One tile per first-layer unit (${pictures.rows}): its weights from the ${c.input.width} x ${c.input.height} image, each tile scaled by its own largest |weight| (mid-grey = 0, white positive, black negative).`
        : `One tile per layer-${layer} unit (${pictures.rows}), drawn in the image as the weighted sum of the ${PARTS} ${lower}s it weights most (largest |weight|), each tile scaled by its own largest |value| (mid-grey = 0).` +
          describeParts(parts!, lower);
    return { image, caption };
  }
  const input = windowSae.input as SpectroInput;
  const { atlas, units } = audioUnitAtlas(pictures, input, {
    top: STACKED_TOP,
    // Weights times the lower units' log-spectrum patterns: the shape is in the log spectrum, the size is not a level in dB.
    valueLabel: 'sum of weight x lower pattern',
    title: (n) => `stacked layer ${layer}: ${n} of ${pictures.rows} units, each the sum of its ${PARTS} strongest parts`,
  });
  const caption =
    `The stacked network's layer-${layer} units do not see the spectrum directly: they weight ${layer === 1 ? "the window autoencoder's units (pooled over time)" : `the units of layer ${layer - 1}`}. ` +
    `Each tile draws one unit in the log-spectrum space as the weighted sum of the ${PARTS} ${lower}s it weights most (largest |weight|${layer === 1 ? ', summed over the pooled segments and statistics' : ''}), ` +
    `the window units being drawn as their ${view}. Time (ms) to the right, frequency (Hz) upwards on the first tile of each row; one shared colour scale (|values| beyond ${atlas.clim.toPrecision(2)} at full colour). ` +
    `${units.length < pictures.rows ? `The ${units.length} strongest units (largest norm) are shown` : `All ${units.length} units are shown`}, by peak frequency then peak time; the number over a tile is the unit's index.` +
    describeParts(parts!, lower);
  return { image: atlas.image, caption };
}

/** The conv-AE's first-layer kernels. Audio: an atlas, time to the right, band offset upwards. */
export function convAeFilterPicture(c: Pick<ConvAeClassifier, 'model' | 'picture'>): UnitPicture {
  const W = firstLayerFilters(c.model);
  const [kh, kw] = c.model.shape.kernel;
  if (c.picture.kind === 'image' || W.cols !== kh * kw) {
    const scale = Math.max(2, Math.round(48 / Math.max(kh, kw)));
    return {
      image: filterGrid(W, { tileWidth: kw, tileHeight: kh * (W.cols / (kh * kw)), scale }),
      caption: `One tile per first-layer convolution kernel (${W.rows}), ${kh} x ${kw} pixels, each tile scaled by its own largest |weight| (mid-grey = 0).`,
    };
  }
  const atlas = filterAtlas(W, {
    frames: kh,
    bands: kw,
    bandHz: null,
    frameMs: null,
    bandAxisTitle: `band offset (${c.picture.spectrum.transform})`,
    valueLabel: 'weight',
    title: `${W.rows} first-layer kernels, ${kh} frames x ${kw} bands`,
    pixelsPerFrame: Math.max(4, Math.round(48 / kh)),
    pixelsPerBand: Math.max(4, Math.round(48 / kw)),
  });
  return {
    image: atlas.image,
    caption:
      `One tile per first-layer convolution kernel (${W.rows}), in model order: ${kh} frames of the length-normalised spectrogram to the right, ${kw} neighbouring ${c.picture.spectrum.transform} bands upwards (low at the bottom). ` +
      'The kernel slides over time and frequency, so its rows are band offsets, not fixed frequencies; the frames are those of a recording stretched or squeezed to a fixed number of frames, so not fixed milliseconds. ' +
      `Blue-white-red, zero white, one shared colour scale (|weights| beyond ${atlas.clim.toPrecision(2)} at full colour).`,
  };
}
