/**
 * A tiny 5x7 bitmap font (printable ASCII) for axis labels, titles and legends.
 * Built in so plots need no font files and no native text rendering; every glyph sits in a
 * 6x8 cell (one blank column and row of spacing), and `scale` magnifies it by whole pixels.
 */
import { type RgbaImage, type Rgb, fillRect } from './raster.ts';

const GLYPH_W = 5;
const GLYPH_H = 7;
/** Horizontal advance and line height, before scaling. */
const CELL_W = 6;
export const CELL_H = 8;

// Each glyph: seven rows, top to bottom, of five columns; '#' is ink. The descenders of g j p q y
// take an eighth row, drawn in the spacing row below the line.
const GLYPHS: Record<string, string> = {
  ' ': '..... ..... ..... ..... ..... ..... .....',
  '!': '..#.. ..#.. ..#.. ..#.. ..#.. ..... ..#..',
  '"': '.#.#. .#.#. ..... ..... ..... ..... .....',
  '#': '.#.#. .#.#. ##### .#.#. ##### .#.#. .#.#.',
  $: '..#.. .#### #.#.. .###. ..#.# ####. ..#..',
  '%': '##... ##..# ...#. ..#.. .#... #..## ...##',
  '&': '.##.. #..#. #.#.. .#... #.#.# #..#. .##.#',
  "'": '..#.. ..#.. ..... ..... ..... ..... .....',
  '(': '...#. ..#.. .#... .#... .#... ..#.. ...#.',
  ')': '.#... ..#.. ...#. ...#. ...#. ..#.. .#...',
  '*': '..... ..#.. #.#.# .###. #.#.# ..#.. .....',
  '+': '..... ..#.. ..#.. ##### ..#.. ..#.. .....',
  ',': '..... ..... ..... ..... .##.. ..#.. .#...',
  '-': '..... ..... ..... ##### ..... ..... .....',
  '.': '..... ..... ..... ..... ..... .##.. .##..',
  '/': '..... ....# ...#. ..#.. .#... #.... .....',
  '0': '.###. #...# #..## #.#.# ##..# #...# .###.',
  '1': '..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.',
  '2': '.###. #...# ....# ...#. ..#.. .#... #####',
  '3': '##### ...#. ..#.. ...#. ....# #...# .###.',
  '4': '...#. ..##. .#.#. #..#. ##### ...#. ...#.',
  '5': '##### #.... ####. ....# ....# #...# .###.',
  '6': '..##. .#... #.... ####. #...# #...# .###.',
  '7': '##### ....# ...#. ..#.. .#... .#... .#...',
  '8': '.###. #...# #...# .###. #...# #...# .###.',
  '9': '.###. #...# #...# .#### ....# ...#. .##..',
  ':': '..... .##.. .##.. ..... .##.. .##.. .....',
  ';': '..... .##.. .##.. ..... .##.. ..#.. .#...',
  '<': '...#. ..#.. .#... #.... .#... ..#.. ...#.',
  '=': '..... ..... ##### ..... ##### ..... .....',
  '>': '.#... ..#.. ...#. ....# ...#. ..#.. .#...',
  '?': '.###. #...# ....# ...#. ..#.. ..... ..#..',
  '@': '.###. #...# ....# .##.# #.#.# #.#.# .###.',
  A: '.###. #...# #...# ##### #...# #...# #...#',
  B: '####. #...# #...# ####. #...# #...# ####.',
  C: '.###. #...# #.... #.... #.... #...# .###.',
  D: '###.. #..#. #...# #...# #...# #..#. ###..',
  E: '##### #.... #.... ####. #.... #.... #####',
  F: '##### #.... #.... ####. #.... #.... #....',
  G: '.###. #...# #.... #.### #...# #...# .####',
  H: '#...# #...# #...# ##### #...# #...# #...#',
  I: '.###. ..#.. ..#.. ..#.. ..#.. ..#.. .###.',
  J: '..### ...#. ...#. ...#. ...#. #..#. .##..',
  K: '#...# #..#. #.#.. ##... #.#.. #..#. #...#',
  L: '#.... #.... #.... #.... #.... #.... #####',
  M: '#...# ##.## #.#.# #.#.# #...# #...# #...#',
  N: '#...# #...# ##..# #.#.# #..## #...# #...#',
  O: '.###. #...# #...# #...# #...# #...# .###.',
  P: '####. #...# #...# ####. #.... #.... #....',
  Q: '.###. #...# #...# #...# #.#.# #..#. .##.#',
  R: '####. #...# #...# ####. #.#.. #..#. #...#',
  S: '.#### #.... #.... .###. ....# ....# ####.',
  T: '##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..',
  U: '#...# #...# #...# #...# #...# #...# .###.',
  V: '#...# #...# #...# #...# #...# .#.#. ..#..',
  W: '#...# #...# #...# #.#.# #.#.# #.#.# .#.#.',
  X: '#...# #...# .#.#. ..#.. .#.#. #...# #...#',
  Y: '#...# #...# .#.#. ..#.. ..#.. ..#.. ..#..',
  Z: '##### ....# ...#. ..#.. .#... #.... #####',
  '[': '.###. .#... .#... .#... .#... .#... .###.',
  '\\': '..... #.... .#... ..#.. ...#. ....# .....',
  ']': '.###. ...#. ...#. ...#. ...#. ...#. .###.',
  '^': '..#.. .#.#. #...# ..... ..... ..... .....',
  _: '..... ..... ..... ..... ..... ..... #####',
  '`': '.#... ..#.. ..... ..... ..... ..... .....',
  a: '..... ..... .###. ....# .#### #...# .####',
  b: '#.... #.... #.##. ##..# #...# #...# ####.',
  c: '..... ..... .###. #.... #.... #...# .###.',
  d: '....# ....# .##.# #..## #...# #...# .####',
  e: '..... ..... .###. #...# ##### #.... .###.',
  f: '..##. .#..# .#... ###.. .#... .#... .#...',
  g: '..... ..... .#### #...# #...# .#### ....# .###.',
  h: '#.... #.... #.##. ##..# #...# #...# #...#',
  i: '..#.. ..... .##.. ..#.. ..#.. ..#.. .###.',
  j: '...#. ..... ..##. ...#. ...#. ...#. #..#. .##..',
  k: '#.... #.... #..#. #.#.. ##... #.#.. #..#.',
  l: '.##.. ..#.. ..#.. ..#.. ..#.. ..#.. .###.',
  m: '..... ..... ##.#. #.#.# #.#.# #...# #...#',
  n: '..... ..... #.##. ##..# #...# #...# #...#',
  o: '..... ..... .###. #...# #...# #...# .###.',
  p: '..... ..... ####. #...# #...# ####. #.... #....',
  q: '..... ..... .#### #...# #...# .#### ....# ....#',
  r: '..... ..... #.##. ##..# #.... #.... #....',
  s: '..... ..... .###. #.... .###. ....# ####.',
  t: '.#... .#... ###.. .#... .#... .#..# ..##.',
  u: '..... ..... #...# #...# #...# #..## .##.#',
  v: '..... ..... #...# #...# #...# .#.#. ..#..',
  w: '..... ..... #...# #...# #.#.# #.#.# .#.#.',
  x: '..... ..... #...# .#.#. ..#.. .#.#. #...#',
  y: '..... ..... #...# #...# #...# .#### ....# .###.',
  z: '..... ..... ##### ...#. ..#.. .#... #####',
  '{': '...#. ..#.. ..#.. .#... ..#.. ..#.. ...#.',
  '|': '..#.. ..#.. ..#.. ..#.. ..#.. ..#.. ..#..',
  '}': '.#... ..#.. ..#.. ...#. ..#.. ..#.. .#...',
  '~': '..... ..... .#... #.#.# ...#. ..... .....',
};

/** Ink bitmaps by character, parsed once: rows[r] has bit (4 - c) set where column c is ink. */
const BITMAPS = new Map<string, number[]>();
for (const [ch, spec] of Object.entries(GLYPHS)) {
  BITMAPS.set(ch, spec.split(' ').map((row) => [...row].reduce((acc, p) => (acc << 1) | (p === '#' ? 1 : 0), 0)));
}

function bitmap(ch: string): number[] {
  // Characters outside the table show as '?' rather than vanishing.
  return BITMAPS.get(ch) ?? BITMAPS.get('?')!;
}

/** Letters and signs without an ASCII base letter under Unicode decomposition, spelled in ASCII. */
const SPELLED: Record<string, string> = {
  ß: 'ss', ẞ: 'SS', æ: 'ae', Æ: 'AE', œ: 'oe', Œ: 'OE', ø: 'o', Ø: 'O', ł: 'l', Ł: 'L', đ: 'd', Đ: 'D',
  ð: 'd', Ð: 'D', þ: 'th', Þ: 'Th', ı: 'i', '\u2010': '-', '\u2011': '-', '\u2012': '-', '\u2013': '-', '\u2014': '-',
  '\u2212': '-', '\u2018': "'", '\u2019': "'", '\u201c': '"', '\u201d': '"', '\u2026': '...', '\u00a0': ' ',
  '\u00b5': 'u', '\u03bc': 'u', '\u00d7': 'x', '\u00b7': '.',
};

/**
 * The text as the font can draw it: accented Latin letters lose their accents (é -> e, š -> s),
 * a few letters and signs are spelled in ASCII (ß -> ss, – -> -), anything else is '?'. Users'
 * class names come from their folder names ("Straße", "ja – yes"), and a '?' for every accented
 * letter makes them unreadable in the pictures.
 */
export function drawableText(text: string): string {
  let out = '';
  for (const ch of text) {
    if (BITMAPS.has(ch)) out += ch;
    else if (SPELLED[ch] !== undefined) out += SPELLED[ch];
    else {
      const base = ch.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
      out += base.length > 0 && [...base].every((c) => BITMAPS.has(c)) ? base : '?';
    }
  }
  return out;
}

export function textWidth(text: string, scale = 1): number {
  const n = drawableText(text).length;
  return n === 0 ? 0 : (n * CELL_W - 1) * scale;
}

export function textHeight(scale = 1): number {
  return GLYPH_H * scale;
}

export type HAlign = 'left' | 'center' | 'right';
export type VAlign = 'top' | 'middle' | 'bottom';

export interface TextOptions {
  scale?: number;
  align?: HAlign;
  valign?: VAlign;
}

/** Draws `text` horizontally; (x, y) is the anchor given by align/valign (default: top-left). */
export function drawText(img: RgbaImage, raw: string, x: number, y: number, color: Rgb, opts: TextOptions = {}): void {
  const text = drawableText(raw);
  const s = opts.scale ?? 1;
  const w = textWidth(text, s);
  const h = textHeight(s);
  let left = x - (opts.align === 'center' ? w / 2 : opts.align === 'right' ? w : 0);
  let top = y - (opts.valign === 'middle' ? h / 2 : opts.valign === 'bottom' ? h : 0);
  left = Math.round(left);
  top = Math.round(top);
  for (let k = 0; k < text.length; k++) {
    const rows = bitmap(text[k]);
    const gx = left + k * CELL_W * s;
    for (let r = 0; r < rows.length; r++) {
      for (let c = 0; c < GLYPH_W; c++) {
        if (rows[r] & (1 << (GLYPH_W - 1 - c))) fillRect(img, gx + c * s, top + r * s, s, s, color);
      }
    }
  }
}

/**
 * Draws `text` rotated a quarter turn anticlockwise (reading bottom to top), as y-axis labels are.
 * (x, y) is the centre of the text.
 */
export function drawTextVertical(img: RgbaImage, raw: string, x: number, y: number, color: Rgb, scale = 1): void {
  const text = drawableText(raw);
  const len = textWidth(text, scale);
  const h = textHeight(scale);
  const left = Math.round(x - h / 2);
  const bottom = Math.round(y + len / 2);
  for (let k = 0; k < text.length; k++) {
    const rows = bitmap(text[k]);
    for (let r = 0; r < rows.length; r++) {
      for (let c = 0; c < GLYPH_W; c++) {
        if (!(rows[r] & (1 << (GLYPH_W - 1 - c)))) continue;
        // Glyph column c runs up the page; glyph row r runs rightwards.
        const along = (k * CELL_W + c) * scale;
        fillRect(img, left + r * scale, bottom - along - scale, scale, scale, color);
      }
    }
  }
}
