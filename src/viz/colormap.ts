/**
 * Colour maps: value in [0, 1] -> RGB.
 * Viridis is perceptually uniform and reads in greyscale too, so quiet and loud regions of a
 * spectrogram are judged fairly; it is approximated by linear interpolation between nine samples
 * of the published map, which is smooth enough that the error is invisible.
 */
import type { Rgb } from './raster.ts';

const VIRIDIS: readonly Rgb[] = [
  [0.267004, 0.004874, 0.329415],
  [0.282623, 0.140926, 0.457517],
  [0.229739, 0.322361, 0.545706],
  [0.172719, 0.448791, 0.557885],
  [0.127568, 0.566949, 0.550556],
  [0.157851, 0.683765, 0.501686],
  [0.369214, 0.788888, 0.382914],
  [0.678489, 0.863742, 0.189503],
  [0.993248, 0.906157, 0.143936],
].map(([r, g, b]) => [r * 255, g * 255, b * 255] as const);

// White to a dark blue: counts in a confusion matrix, where zero should be blank paper.
const BLUES: readonly Rgb[] = [
  [247, 251, 255],
  [198, 219, 239],
  [107, 174, 214],
  [33, 113, 181],
  [8, 48, 107],
];

function interpolate(stops: readonly Rgb[], t: number): Rgb {
  if (!Number.isFinite(t)) t = 0;
  t = Math.min(1, Math.max(0, t));
  const pos = t * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(pos));
  const f = pos - i;
  const a = stops[i];
  const b = stops[i + 1];
  return [
    Math.round(a[0] + (b[0] - a[0]) * f),
    Math.round(a[1] + (b[1] - a[1]) * f),
    Math.round(a[2] + (b[2] - a[2]) * f),
  ];
}

export function viridis(t: number): Rgb {
  return interpolate(VIRIDIS, t);
}

export function blues(t: number): Rgb {
  return interpolate(BLUES, t);
}

/** Relative luminance (0..255) — used to pick black or white text over a coloured cell. */
export function luminance(c: Rgb): number {
  return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
}

/**
 * Distinct series colours (the widely used "tab10" palette), in order; chosen to stay apart
 * from each other and from the black/grey of axes and grid lines.
 */
export const SERIES_COLORS: readonly Rgb[] = [
  [31, 119, 180],
  [255, 127, 14],
  [44, 160, 44],
  [214, 39, 40],
  [148, 103, 189],
  [140, 86, 75],
  [227, 119, 194],
  [127, 127, 127],
  [188, 189, 34],
  [23, 190, 207],
];

// ColorBrewer RdBu (11 classes), from blue to red: signed weights, where the sign is the message
// (energy added vs removed) and zero must read as "nothing" — the near-white centre.
const RD_BU: readonly Rgb[] = [
  [5, 48, 97],
  [33, 102, 172],
  [67, 147, 195],
  [146, 197, 222],
  [209, 229, 240],
  [247, 247, 247],
  [253, 219, 199],
  [244, 165, 130],
  [214, 96, 77],
  [178, 24, 43],
  [103, 0, 31],
];

/** Diverging map for signed values: v in [-1, 1] (clamped), blue negative, near-white 0, red positive. */
export function diverging(v: number): Rgb {
  return interpolate(RD_BU, (v + 1) / 2);
}
