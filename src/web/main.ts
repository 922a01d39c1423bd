/**
 * The page (index.html + this script, bundled by pipeline/web-site.ts): loads the exported run
 * from the folder it is served from, then classifies dropped audio files and live microphone
 * segments, drawing each recording's spectrogram and prediction over time.
 *
 * What it found is also kept in `window.sfl` (PageState), for scripts and tests that drive the page.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { decodeAudio } from '../audio/decode.ts';
import { DEFAULT_SEGMENT_SECONDS } from '../pipeline/segments.ts';
import { drawTimeline, type FigureLayout } from './draw.ts';
import { MicrophoneSegments } from './microphone.ts';
import { PagePipeline, type SegmentResult } from './page-pipeline.ts';
import { showRecording, topLine } from './recording-card.ts';
import type { SegmentRun } from './segment-runs.ts';
import { setUpFilters } from './filters-view.ts';

/** What page.json (written beside the model) says about the run. */
interface PageInfo {
  run: string;
  describe: string;
  filtersCaption: string | null;
}

export interface PageState {
  /** True once the model is loaded and files can be dropped. */
  ready: boolean;
  /** Milliseconds from navigation start to ready. */
  readyAfterMs: number | null;
  classNames: string[];
  sampleRate: number;
  /** The TensorFlow.js backend the networks run on ('wasm', or 'cpu' when WebAssembly could not start). */
  backend: string;
  /** One entry per dropped file, in the order they were given. */
  files: {
    file: string;
    label?: string;
    probabilities?: number[];
    segments?: SegmentResult[];
    seconds?: number;
    error?: string;
    /** Milliseconds to decode and classify it, and then to draw its card. */
    classifyMs?: number;
    drawMs?: number;
    /** Consecutive segments with the same label, merged (the table of the file's card). */
    runs?: SegmentRun[];
    /** Where the card's figure drew its parts and time ticks. */
    figure?: FigureLayout;
  }[];
  /** Microphone segments so far, each with the samples it was classified from (the last 64 kept). */
  live: (SegmentResult & { samples: number[] })[];
  /** Every error shown to the user. */
  errors: string[];
}

declare global {
  interface Window {
    sfl: PageState;
  }
}

const state: PageState = { ready: false, readyAfterMs: null, classNames: [], sampleRate: 0, backend: '', files: [], live: [], errors: [] };
window.sfl = state;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function element<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className) e.className = className;
  return e;
}

function showError(message: string, where: HTMLElement = $('status')): void {
  state.errors.push(message);
  const p = element('p', message, 'error');
  where.append(p);
}

async function classifyFiles(pipeline: PagePipeline, files: readonly File[]): Promise<void> {
  for (const file of files) {
    const entry: PageState['files'][number] = { file: file.name };
    state.files.push(entry);
    const card = element('article', undefined, 'result');
    card.append(element('h3', file.name));
    $('results').prepend(card);
    try {
      const t0 = performance.now();
      const decoded = await decodeAudio(new Uint8Array(await file.arrayBuffer()), file.name, { sampleRate: pipeline.sampleRate });
      const r = pipeline.classifyRecording(decoded.samples);
      Object.assign(entry, { label: r.label, probabilities: r.probabilities, segments: r.segments, seconds: r.seconds, classifyMs: performance.now() - t0 });
      const t1 = performance.now();
      Object.assign(entry, showRecording(card, r, decoded.warnings, pipeline.classNames, pipeline.frontend.spectrum), { drawMs: performance.now() - t1 });
    } catch (e) {
      entry.error = e instanceof Error ? e.message : String(e);
      showError(entry.error, card);
    }
    // Let the page draw between files.
    await new Promise((r) => setTimeout(r, 0));
  }
}

function setUpDrop(pipeline: PagePipeline): void {
  const zone = $('drop');
  const input = $<HTMLInputElement>('files');
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    void classifyFiles(pipeline, [...(e.dataTransfer?.files ?? [])]);
  });
  input.addEventListener('change', () => {
    void classifyFiles(pipeline, [...(input.files ?? [])]);
    input.value = '';
  });
}

function setUpMicrophone(pipeline: PagePipeline): void {
  const button = $<HTMLButtonElement>('mic');
  const out = $('live');
  const line = $<HTMLCanvasElement>('live-timeline');
  let mic: MicrophoneSegments | null = null;
  const recent: SegmentResult[] = [];
  button.addEventListener('click', async () => {
    if (mic) {
      const m = mic;
      mic = null;
      button.textContent = 'Start the microphone';
      await m.stop();
      return;
    }
    button.disabled = true;
    try {
      const segment = DEFAULT_SEGMENT_SECONDS;
      mic = await MicrophoneSegments.start(pipeline.sampleRate, segment, segment / 2, (s) => {
        let result: SegmentResult;
        try {
          result = pipeline.segmentResult(s.start, s.end, pipeline.classifySpectra([pipeline.spectrogram(s.samples, 'the microphone segment')])[0]);
        } catch (e) {
          showError(e instanceof Error ? e.message : String(e), out);
          return;
        }
        state.live.push({ ...result, samples: Array.from(s.samples) });
        if (state.live.length > 64) state.live.shift();
        recent.push(result);
        if (recent.length > 20) recent.shift();
        $('live-label').textContent = `${result.label}  (${topLine(result.probabilities, pipeline.classNames)}) at ${s.start.toFixed(1)}-${s.end.toFixed(1)} s`;
        line.hidden = false;
        // The last 20 segments, on their own time axis.
        const t0 = recent[0].start;
        drawTimeline(line, recent.map((r) => ({ ...r, start: r.start - t0, end: r.end - t0 })), pipeline.classNames, recent[recent.length - 1].end - t0);
      });
      button.textContent = 'Stop the microphone';
      $('live-label').textContent = `listening at ${mic.captureRate} Hz, resampled to ${pipeline.sampleRate} Hz; a label every ${segment / 2} s`;
    } catch (e) {
      showError(`the microphone could not be started: ${e instanceof Error ? e.message : String(e)}`, out);
    } finally {
      button.disabled = false;
    }
  });
}

async function main(): Promise<void> {
  // TensorFlow.js's WebAssembly backend (XNNPACK, SIMD where the browser has it), its .wasm files
  // served beside the page: float32 like Node's, several times faster than the plain JavaScript
  // one, and unlike WebGL never half precision. The JavaScript backend when wasm cannot start.
  setWasmPaths(new URL('tfjs-wasm/', location.href).href);
  if (!(await tf.setBackend('wasm').catch(() => false))) await tf.setBackend('cpu');
  const base = new URL('model/', location.href).href;
  const [pipeline, info] = await Promise.all([PagePipeline.load(base), fetch('page.json').then((r) => r.json() as Promise<PageInfo>)]);
  state.classNames = pipeline.classNames;
  state.sampleRate = pipeline.sampleRate;
  state.backend = tf.getBackend();
  document.title = `sfl: ${info.run}`;
  $('run').textContent = info.run;
  $('describe').textContent = info.describe;
  if (info.filtersCaption) $('filters-caption').textContent = info.filtersCaption;
  else $('filters').hidden = true;
  setUpFilters($('filters'));
  setUpDrop(pipeline);
  setUpMicrophone(pipeline);
  $('status').textContent = `Ready: ${pipeline.classNames.length} classes (${pipeline.classNames.join(', ')}), recordings resampled to ${pipeline.sampleRate} Hz.`;
  $<HTMLButtonElement>('mic').disabled = false;
  $<HTMLInputElement>('files').disabled = false;
  state.readyAfterMs = performance.now();
  state.ready = true;
}

main().catch((e) => showError(`the model could not be loaded: ${e instanceof Error ? e.message : String(e)}`));
