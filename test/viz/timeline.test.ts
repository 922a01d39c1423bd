import { describe, expect, it } from 'vitest';
import { classColor, timelineImage } from '../../src/viz/timeline.ts';
import { getPixel } from '../../src/viz/raster.ts';
import { textWidth } from '../../src/viz/font.ts';

describe('timelineImage', () => {
  const classNames = ['dog', 'cat', 'bird'];
  it('colours each stretch by its predicted class, in time order, paler when less sure', () => {
    const img = timelineImage(
      [
        { start: 0, end: 1, predicted: 'cat', confidence: 1 },
        { start: 1, end: 2, predicted: 'bird', confidence: 1 },
        { start: 2, end: 3, predicted: 'cat', confidence: 0 },
      ],
      { classNames, pixelsPerSecond: 100 },
    );
    const y = 6 + 12; // middle of the strip (no title)
    expect(getPixel(img, 10 + 50, y).slice(0, 3)).toEqual([...classColor(classNames, 'cat')]);
    expect(getPixel(img, 10 + 150, y).slice(0, 3)).toEqual([...classColor(classNames, 'bird')]);
    const pale = getPixel(img, 10 + 250, y);
    const cat = classColor(classNames, 'cat');
    // A quarter of the way from white to the class colour.
    expect(pale[0]).toBe(Math.round(255 + (cat[0] - 255) * 0.25));
  });

  it("writes the axis name after the last tick's label, not over it", () => {
    // Ends on a tick (4 s): its label is centred on the strip's end, where the axis name was drawn.
    const img = timelineImage([{ start: 0, end: 4, predicted: 'dog', confidence: 1 }], { classNames, pixelsPerSecond: 100 });
    const end = 10 + 400, rowY = 6 + 24 + 6;
    const inkAt = (x: number) => {
      for (let y = rowY; y < rowY + 8; y++) if (getPixel(img, x, y)[0] < 128) return true;
      return false;
    };
    const half = Math.ceil(textWidth('4') / 2);
    // A gap after the tick label, then the axis name.
    for (let x = end + half + 1; x < end + half + 8; x++) expect(inkAt(x), `column ${x}`).toBe(false);
    expect(Array.from({ length: textWidth('time (s)') }, (_, i) => inkAt(end + half + 8 + i)).some(Boolean)).toBe(true);
    expect(img.width).toBeGreaterThanOrEqual(end + half + 8 + textWidth('time (s)'));
  });

  it('refuses an empty list', () => {
    expect(() => timelineImage([], { classNames })).toThrow(/no segments/);
  });
});
