import { describe, expect, it } from 'vitest';
import { drawText, drawTextVertical, drawableText, textWidth } from '../../src/viz/font.ts';
import { BLACK, createImage } from '../../src/viz/raster.ts';


function drawn(text: string, vertical = false): Uint8Array {
  const img = createImage(200, 200);
  if (vertical) drawTextVertical(img, text, 100, 100, BLACK);
  else drawText(img, text, 2, 2, BLACK);
  return img.rgba;
}

describe('the bitmap font on names users give', () => {
  it('draws accented letters as their base letter and spells ß, dashes and quotes in ASCII', () => {
    expect(drawableText('Straße')).toBe('Strasse');
    expect(drawableText('ja – yes')).toBe('ja - yes');
    expect(drawableText('späť Café Ångström')).toBe('spat Cafe Angstrom');
    expect(drawableText('it’s')).toBe("it's");
  });

  it('keeps a ? for what has no ASCII spelling, one per character (not per UTF-16 unit)', () => {
    expect(drawableText('鳥')).toBe('?');
    expect(drawableText('a🐦b')).toBe('a?b');
  });

  it('draws and measures the text it can draw, not question marks', () => {
    expect(drawn('Straße')).toEqual(drawn('Strasse'));
    expect(drawn('ja – yes')).toEqual(drawn('ja - yes'));
    expect(drawn('Straße')).not.toEqual(drawn('Stra?e'));
    expect(drawn('späť', true)).toEqual(drawn('spat', true));
    expect(textWidth('Straße')).toBe(textWidth('Strasse'));
    expect(textWidth('a🐦b')).toBe(textWidth('abc'));
  });
});
