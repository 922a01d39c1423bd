import { describe, expect, it } from 'vitest';
import { encodePng } from '../../src/viz/png.ts';
import { createImage } from '../../src/viz/raster.ts';
import { enlargeFactor, renderReport } from '../../src/viz/report.ts';

const png = encodePng(createImage(10, 8));

describe('renderReport', () => {
  const html = renderReport({
    title: 'sfl run <demo>',
    description: 'a & b',
    command: 'sfl run configs/x.json',
    config: { sae: { hidden: 3 }, note: '</pre><script>' },
    facts: [['seed', '1']],
    metrics: [['finalCost', '0.5']],
    figures: [
      { title: 'Learned filters', caption: 'tiles', png, width: 10, height: 8, enlarge: true },
      { title: 'Cost', caption: 'curve', png, width: 10, height: 8, alt: 'cost per iteration' },
    ],
  });

  it('is one self-contained page: images inlined, nothing fetched, no scripts', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html.match(/<img /g)).toHaveLength(2);
    expect(html).toContain(`src="data:image/png;base64,${png.toString('base64')}"`);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link (?![^>]*href="data:)/);
  });

  it('escapes what it shows and folds the config away', () => {
    expect(html).toContain('<title>sfl run &lt;demo&gt;</title>');
    expect(html).toContain('a &amp; b');
    expect(html).toContain('&lt;/pre&gt;&lt;script&gt;');
    expect(html).toMatch(/<details>\s*<summary>Command and config<\/summary>/);
  });

  it('shows the filter grid enlarged and pixelated, with captions and alt text', () => {
    expect(html).toContain('image-rendering: pixelated');
    expect(html).toMatch(/<figure id="fig-1" class="large">[\s\S]*style="width:40px"/);
    expect(html).toContain('alt="cost per iteration"');
    expect(html).toContain('Figure 2. curve');
  });

  it('names each skipped file once, whether or not its reason names it too', () => {
    const page = renderReport({
      title: 't', command: 'c', config: {}, facts: [], metrics: [], figures: [],
      data: {
        folder: '/d', split: 'random', classes: [{ label: 'a', train: 1, test: 1 }],
        skipped: [
          { path: '/d/x.wav', reason: '/d/x.wav: non-finite sample value NaN' }, // a decoder's reason
          { path: '/d/notes.txt', reason: 'not an audio file' },
        ],
      },
    });
    expect(page).toContain('<li><code>/d/x.wav</code>: non-finite sample value NaN</li>');
    expect(page).toContain('<li><code>/d/notes.txt</code>: not an audio file</li>');
  });

  it('enlarges small pictures by a whole factor, at most 4x', () => {
    expect(enlargeFactor(10)).toBe(4);
    expect(enlargeFactor(300)).toBe(3);
    expect(enlargeFactor(2000)).toBe(1);
  });
});
