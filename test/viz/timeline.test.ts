import { describe, expect, it } from 'vitest';
import { classColor, timelineImage } from '../../src/viz/timeline.ts';
import { getPixel } from '../../src/viz/raster.ts';

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

  it('refuses an empty list', () => {
    expect(() => timelineImage([], { classNames })).toThrow(/no segments/);
  });
});
