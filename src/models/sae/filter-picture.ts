/**
 * The picture of what a sparse autoencoder learned, drawn in the space of its input.
 *
 * Images (MNIST) keep the grey UFLDL grid. Audio units are drawn as spectro-temporal patches in the
 * log-spectrum space (filter-atlas.ts), and there are two ways to bring a unit back there from the
 * whitened space it was trained in:
 *  - 'atoms': the decoder column of the unit, de-whitened and un-standardised: the log-spectrum
 *    pattern the unit ADDS to the reconstruction when it fires (what it stands for);
 *  - 'filters': the encoder row, de-whitened the same way (what the unit responds to, seen
 *    through the data's own correlations).
 * Which one a person reads more easily is measured, not assumed: 'auto' takes the one whose patches
 * are smoother (patch-measures.ts: neighbouring cells sharing their energy, i.e. blobs and ridges
 * rather than static), and the caption quotes both numbers.
 */
import { matrix, transposed, type Matrix } from '../../compute/matrix.ts';
import { hiddenFromLength, unpackParams } from './sparse-autoencoder.ts';
import { filterAtlas, type TileScale } from '../../viz/filter-atlas.ts';
import { filterGrid } from '../../viz/filter-grid.ts';
import { allPatchMeasures, chooseUnits, meanSmoothness, UNIT_ORDER_TEXT, type PatchMeasures, type UnitOrder } from '../../viz/patch-measures.ts';
import type { RgbaImage } from '../../viz/raster.ts';
import type { InputDescription } from '../../features/input-description.ts';
import { saeFilters, type SaeModel } from './saved-model.ts';

export type FilterView = 'atoms' | 'filters';
export const FILTER_VIEWS = ['auto', 'atoms', 'filters'] as const;

export interface FilterPictureOptions {
  /** Which view of each unit (see above); default 'auto' (the smoother one). */
  view?: FilterView | 'auto';
  /** Draw only the N strongest units (largest patch norm); default all. */
  top?: number | null;
  /** Order of the tiles; default 'frequency' (peak frequency, then peak time). */
  sort?: UnitOrder;
  /** One colour scale for every tile (default) or each tile on its own. */
  scale?: TileScale;
  /** Title over the picture; default says what is drawn. */
  title?: string;
}

export interface FilterPicture {
  image: RgbaImage;
  /** A few sentences saying how to read the picture (for a report, or printed by the CLI). */
  caption: string;
  /** Audio only: which view was drawn, the drawn patches (every unit, in the model's order) and their measures. */
  view?: FilterView;
  patches?: Matrix;
  measures?: PatchMeasures[];
  /** Units in drawing order (0-based rows of `patches`). */
  units?: number[];
  smoothness?: Record<FilterView, number>;
}

/** Decoder atoms (hidden x input dims): W2's columns brought back to the raw input space. */
function saeAtoms(m: SaeModel): Matrix {
  const v = m.preprocessor.outputDim;
  const h = hiddenFromLength(m.theta.length, v);
  const { W2 } = unpackParams(m.theta, v, h); // v x h
  return m.preprocessor.filtersToInputSpace(matrix(h, v, transposed(W2, v, h)));
}

export type SpectroInput = Extract<InputDescription, { kind: 'spectro-temporal' }>;

/** What the values in the picture are, for the colour bar. */
export function valueLabel(input: SpectroInput, view: FilterView): string {
  const t = input.spectrum.transform;
  const space = t === 'mfcc' || t === 'cepstrum' ? `${t} value` : input.spectrum.log ? 'log energy' : 'energy';
  return view === 'atoms' ? `${space} added per unit activation` : `weight (${space} space)`;
}

export interface AudioAtlasOptions {
  top?: number | null;
  sort?: UnitOrder;
  scale?: TileScale;
  /** Measures of `patches` when already computed. */
  measures?: PatchMeasures[];
  valueLabel: string;
  /** The title, given the number of units drawn. */
  title: (drawn: number) => string;
  unitLabel?: (unit: number) => string;
}

/** Audio patches (rows: K frames x bands of `input`) as a filter atlas: the strongest `top`, in `sort` order. */
export function audioUnitAtlas(patches: Matrix, input: SpectroInput, o: AudioAtlasOptions) {
  const frameMs = (1000 * input.spectrum.hop) / input.spectrum.sampleRate;
  const measures = o.measures ?? allPatchMeasures(patches, { frames: input.frames, bands: input.bands, bandHz: input.bandHz, frameMs });
  const units = chooseUnits(measures, o.sort ?? 'frequency', o.top ?? null);
  const atlas = filterAtlas(patches, {
    frames: input.frames,
    bands: input.bands,
    units,
    unitLabel: o.unitLabel,
    bandHz: input.bandHz,
    frameMs,
    scale: o.scale ?? 'shared',
    valueLabel: o.valueLabel,
    title: o.title(units.length),
  });
  return { atlas, units, measures, frameMs };
}

export function filterPicture(model: SaeModel, o: FilterPictureOptions = {}): FilterPicture {
  const input = model.input;
  if (input.kind === 'image') {
    const W = saeFilters(model);
    return {
      image: filterGrid(W, { tileWidth: input.width, tileHeight: input.height, scale: 2 }),
      caption:
        `One tile per hidden unit (${W.rows}): the weights from the ${input.width} x ${input.height} image to that unit, ` +
        'each tile scaled by its own largest |weight| (mid-grey = 0, white positive, black negative).',
    };
  }
  if (input.kind === 'pooled-features') {
    const W = saeFilters(model);
    return {
      image: filterGrid(W, { tileWidth: input.units, tileHeight: input.blocks, scale: 2 }),
      caption:
        `One tile per hidden unit (${W.rows}): its weights on the pooled window features, ${input.units} window units across, ` +
        `${input.blocks} pooled blocks (segment and statistic) down; each tile scaled by its own largest |weight| (mid-grey = 0).`,
    };
  }
  const candidates: Record<FilterView, Matrix> = { atoms: saeAtoms(model), filters: saeFilters(model) };
  const s = input.spectrum;
  const frameMs = (1000 * s.hop) / s.sampleRate;
  const shape = { frames: input.frames, bands: input.bands, bandHz: input.bandHz, frameMs };
  const measured = {
    atoms: allPatchMeasures(candidates.atoms, shape),
    filters: allPatchMeasures(candidates.filters, shape),
  };
  const smoothness = { atoms: meanSmoothness(measured.atoms), filters: meanSmoothness(measured.filters) };
  const view: FilterView = o.view && o.view !== 'auto' ? o.view : smoothness.atoms >= smoothness.filters ? 'atoms' : 'filters';
  const patches = candidates[view];
  const measures = measured[view];
  const sort = o.sort ?? 'frequency';
  const scale = o.scale ?? 'shared';
  const what = view === 'atoms' ? 'decoder atoms' : 'de-whitened encoder filters';
  const { atlas, units } = audioUnitAtlas(patches, input, {
    top: o.top ?? null,
    sort,
    scale,
    measures,
    valueLabel: valueLabel(input, view),
    title: (n) => o.title ?? `${n} of ${patches.rows} units: ${what}, sorted by ${sort === 'index' ? 'unit number' : sort}`,
  });
  const chosenBecause =
    o.view && o.view !== 'auto'
      ? `${view === 'atoms' ? 'Decoder atoms' : 'De-whitened encoder filters'} are drawn as asked`
      : view === 'atoms'
        ? 'Decoder atoms are drawn rather than de-whitened encoder filters because they are smoother'
        : 'De-whitened encoder filters are drawn rather than decoder atoms because they are smoother';
  const caption =
    `Each tile is one hidden unit drawn as a spectro-temporal patch in the ${s.transform} log-spectrum space of the input: ` +
    `${input.frames} frames (${frameMs.toFixed(1)} ms apart) to the right, ${input.bands} bands upwards, low frequency at the bottom; ` +
    `the first tile of each row carries the frequency (Hz) and time (ms) axes. ` +
    (view === 'atoms'
      ? 'A decoder atom is the pattern the unit adds to the reconstructed log spectrum when it fires: red raises a band, blue lowers it. '
      : "A de-whitened filter is the unit's input weights seen through the data's correlations: red cells excite the unit, blue ones inhibit it. ") +
    `${chosenBecause} (mean neighbour correlation ${smoothness.atoms.toFixed(2)} for atoms, ${smoothness.filters.toFixed(2)} for filters; ` +
    'higher reads as shapes rather than static). ' +
    (scale === 'shared'
      ? `All tiles share one colour scale (the colour bar; |values| beyond ${atlas.clim.toPrecision(2)}, the 99.5th percentile, are drawn at full colour), so a weak unit looks pale. `
      : 'Each tile is scaled by its own largest |value|, so shapes compare but strengths do not. ') +
    `${o.top != null && o.top < patches.rows ? `The ${units.length} strongest units (largest patch norm) are shown, ` : 'Units are shown '}` +
    `${UNIT_ORDER_TEXT[sort]}; the number over a tile is the unit's index in the model.`;
  return { image: atlas.image, caption, view, patches, measures, units, smoothness };
}
