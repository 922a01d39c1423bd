/**
 * What the page shows for one classified recording: its label, the figure (spectrogram, label
 * over time, every class's probability, on one time axis: draw.ts), and for a recording labelled
 * segment by segment a compact table of runs (consecutive segments with the same label merged:
 * "0:00.0–0:12.0  left  87%") with every segment's detail folded away under it.
 */
import type { SpectrumParams } from '../audio/spectrogram.ts';
import { classColor } from '../viz/timeline.ts';
import type { FigureLayout } from './draw.ts';
import { figureView } from './figure-view.ts';
import type { RecordingResult } from './page-pipeline.ts';
import { mergeRuns, segmentSpans, type SegmentRun } from './segment-runs.ts';
import { timeFormatter } from './time-format.ts';

const pct = (p: number) => `${(100 * p).toFixed(1)}%`;

function element<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className) e.className = className;
  return e;
}

/** The three most probable classes as a line of text. */
export function topLine(probabilities: readonly number[], classNames: readonly string[]): string {
  return probabilities
    .map((p, c) => ({ p, name: classNames[c] }))
    .sort((a, b) => b.p - a.p)
    .slice(0, 3)
    .map((x) => `${x.name} ${pct(x.p)}`)
    .join(', ');
}

function swatch(classNames: readonly string[], label: string): HTMLSpanElement {
  const s = element('span', undefined, 'swatch');
  s.style.background = `rgb(${classColor([...classNames], label).join(',')})`;
  return s;
}

function row(cells: (string | Node)[], tag: 'td' | 'th' = 'td'): HTMLTableRowElement {
  const tr = element('tr');
  for (const c of cells) {
    const cell = element(tag);
    cell.append(c);
    tr.append(cell);
  }
  return tr;
}

function labelCell(classNames: readonly string[], label: string): DocumentFragment {
  const f = document.createDocumentFragment();
  f.append(swatch(classNames, label), label);
  return f;
}

/** "left 52%, up 20%, ...": the share of the recording's time each label holds, largest first. */
function shareLine(runs: readonly SegmentRun[], seconds: number): string {
  const time = new Map<string, number>();
  for (const r of runs) time.set(r.label, (time.get(r.label) ?? 0) + (r.end - r.start));
  return [...time].sort((a, b) => b[1] - a[1]).map(([label, t]) => `${label} ${Math.round((100 * t) / seconds)}%`).join(', ');
}

export interface CardContents {
  runs: SegmentRun[];
  figure: FigureLayout;
}

/** Fills `card` (already in the page, so it has a width) with what was found in the recording. */
export function showRecording(
  card: HTMLElement,
  r: RecordingResult,
  warnings: readonly string[],
  classNames: readonly string[],
  spectrum: SpectrumParams,
): CardContents {
  card.append(element('p', `${r.label}  (${topLine(r.probabilities, classNames)}; ${r.seconds.toFixed(2)} s)`, 'label'));
  for (const w of warnings) card.append(element('p', w, 'warning'));
  const view = figureView(card, { spectrogram: r.spectrogram, seconds: r.seconds, segments: r.segments, classNames, spectrum });
  const { canvas, layout: figure } = view;
  const labelled = r.segments.length > 1;
  const spans = segmentSpans(r.segments);
  const runs = labelled ? mergeRuns(r.segments, classNames) : [];
  const fmt = timeFormatter(r.seconds, r.segments.flatMap((s) => [s.start, s.end]).concat(spans.flatMap((s) => [s.start, s.end])));

  // Pointing at the figure says when, and what the segment there was labelled.
  canvas.addEventListener('mousemove', (e) => {
    const t = ((e.offsetX - figure.left) / figure.width) * r.seconds;
    if (t < 0 || t > r.seconds) return void (canvas.title = '');
    const i = spans.findIndex((s) => t < s.end);
    const s = r.segments[i < 0 ? r.segments.length - 1 : i];
    canvas.title = `${fmt.time(t)} ${fmt.unit}: ${s.label} (${topLine(s.probabilities, classNames)}), segment ${fmt.range(s.start, s.end)}`;
  });

  if (!labelled) {
    card.append(element('p', 'spectrogram over time (dark: quiet or silent); the whole recording is one segment, so it has one label', 'caption'));
    return { runs, figure };
  }
  card.append(
    element(
      'p',
      `spectrogram; the label over time (paler: less sure) and each class's probability (darker: more probable), from ${r.segments.length} segments of ${r.segmentSeconds} s every ${r.hopSeconds} s; point at the picture for the time and label, click a row below to see it there`,
      'caption',
    ),
  );
  card.append(element('p', `${runs.length} ${runs.length === 1 ? 'stretch' : 'stretches'} of one label; share of the time: ${shareLine(runs, r.seconds)}`, 'caption'));

  const table = element('table', undefined, 'runs');
  table.append(row([`time (${fmt.unit})`, 'label', 'mean probability', 'segments'], 'th'));
  for (const run of runs) {
    const tr = row([fmt.range(run.start, run.end), labelCell(classNames, run.label), pct(run.meanProbability), String(run.count)]);
    tr.title = 'show it in the picture';
    tr.addEventListener('click', () => {
      table.querySelector('tr.selected')?.classList.remove('selected');
      tr.classList.add('selected');
      view.show(run.start, run.end);
    });
    table.append(tr);
  }
  const box = element('div', undefined, 'runs-box');
  box.append(table);
  card.append(box);

  // Every segment, for whoever wants the detail: folded away, and its rows built only when opened.
  const details = element('details', undefined, 'segment-detail');
  details.append(element('summary', `every segment (${r.segments.length}, each ${r.segmentSeconds} s of audio)`));
  details.addEventListener(
    'toggle',
    () => {
      if (!details.open || details.querySelector('table')) return;
      const all = element('table', undefined, 'segments');
      all.append(row([`segment (${fmt.unit})`, 'label', 'top classes'], 'th'));
      for (const s of r.segments) all.append(row([fmt.range(s.start, s.end), labelCell(classNames, s.label), topLine(s.probabilities, classNames)]));
      const inner = element('div', undefined, 'runs-box');
      inner.append(all);
      details.append(inner);
    },
  );
  card.append(details);
  return { runs, figure };
}
