import type { Command } from 'commander';
import { basename } from 'node:path';
import { initBackend } from '../../compute/backend.ts';
import { classifyRecordings, QUIET_LABEL, topClasses } from '../../pipeline/classify-recordings.ts';
import { DEFAULT_SEGMENT_SECONDS } from '../../pipeline/segments.ts';
import { segmentLines } from '../segment-lines.ts';
import { loadTrainedRun, type TrainedRun } from '../../pipeline/trained-run.ts';
import { classifyImageFiles } from '../../pipeline/classify-images.ts';
import { scanImageTargets } from '../../data/image-files.ts';
import { SflError } from '../../util/errors.ts';
import { runLookupOption } from '../experiment-options.ts';
import { setQuiet } from '../../util/progress.ts';
import { intArg } from '../options.ts';
import { scanAudioTargets, targetsSummary } from '../../pipeline/audio-set.ts';

function secondsArg(name: string) {
  return (v: string): number => {
    const x = Number(v);
    if (v.trim() === '' || !Number.isFinite(x) || x <= 0) throw new SflError(`${name} takes a positive number of seconds (got "${v}")`);
    return x;
  };
}

function levelArg(v: string): number {
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x) || x > 0) throw new SflError(`--min-level takes a level in dB re full scale, 0 or below, such as -50 (got "${v}")`);
  return x;
}

const pct = (p: number) => `${(100 * p).toFixed(1)}%`;

interface ClassifyFlags {
  top: number;
  segment?: number;
  hop?: number;
  minLevel?: number;
  outputs: string;
  json?: boolean;
  quiet?: boolean;
}

/** A run on images: each PNG or idx image with its label and most probable classes. */
function classifyImages(run: TrainedRun, targets: string[], opts: ClassifyFlags): void {
  const found = scanImageTargets(targets);
  const { predictions, skipped } = classifyImageFiles(run, found.paths);
  const all = [...found.skipped, ...skipped];
  if (predictions.length === 0) {
    const w = run.input.kind === 'image' ? `${run.input.width} x ${run.input.height}` : '';
    throw new SflError(`run ${basename(run.dir)} classifies ${w} images (PNG files or MNIST idx image files), and none of the ${all.length} file(s) given holds one${all[0] ? ` (${basename(all[0].path)}: ${all[0].reason})` : ''}`);
  }
  for (const s of all) {
    if (opts.json) console.log(JSON.stringify({ file: s.path, error: s.reason }));
    else process.stderr.write(`skipped ${s.path}: ${s.reason}\n`);
  }
  for (const p of predictions) {
    const top = topClasses(p.probabilities, run.classNames!, opts.top);
    if (opts.json) console.log(JSON.stringify({ file: p.file, label: p.label, top }));
    else console.log(`${p.file}\t${p.label}\t${top.map((t) => `${t.label} ${pct(t.probability)}`).join(', ')}`);
  }
  process.stderr.write(`${predictions.length} image${predictions.length === 1 ? '' : 's'} classified from ${found.paths.length - skipped.length} file(s)${all.length ? `; ${all.length} file(s) skipped` : ', none skipped'}\n`);
  if (all.length && !opts.json) process.exitCode = 1;
}

/** `sfl classify`: label new recordings, and their segments over time, with any trained audio run. */
export function registerClassify(program: Command): void {
  program
    .command('classify')
    .description(
      'label recordings with a trained run (self-taught, conv, stacked, conv-ae, train-softmax on audio; `npm start`): ' +
        'prints, for each recording, the predicted label and the most probable classes, and for a recording longer than ' +
        'one segment its labels over time (consecutive segments with one label on one line, with their start and end ' +
        'time; --json lists every segment). Recordings at another sample rate are ' +
        'resampled to the training rate; unreadable ones are reported and skipped. A run trained with ' +
        '--standardise-per-speaker takes all the recordings given as one speaker\'s (at least 10) and standardises them together',
    )
    .argument('<run>', 'a run name (under --outputs) or a run folder')
    .argument('<audio...>', 'audio files (WAV, MP3, FLAC, Ogg, Opus) or folders of them; for a run on images (the MNIST runs), PNG files or MNIST idx image files (light strokes on a dark background, the run\'s size) or folders of them')
    .option('--top <k>', 'how many classes to show per recording', intArg('--top'), 3)
    .option(
      '--segment <seconds>',
      'length of the segments a long recording is labelled in, one every --hop; what is left at the end is added to the last ' +
        'segment when it is shorter than half the hop, else covered by a last full-length segment ending at the recording\'s end ' +
        `(a recording no longer than a segment and that much is one segment) (default: ${DEFAULT_SEGMENT_SECONDS})`,
      secondsArg('--segment'),
    )
    .option('--hop <seconds>', 'time between segment starts (default: half the segment)', secondsArg('--hop'))
    .option(
      '--min-level <dB>',
      `segments whose RMS level is below this many dB re full scale (e.g. -50) are reported as ${QUIET_LABEL} and not classified: ` +
        'a classifier gives near-silence one of its classes, often with a probability near 1 (default: every segment is classified)',
      levelArg,
    )
    .addOption(runLookupOption())
    .option('--json', 'print one JSON object per recording (JSON lines), segments included')
    .option('--quiet', 'no progress display')
    .action(async (target: string, targets: string[], opts: ClassifyFlags) => {
      if (opts.quiet || opts.json) setQuiet(true);
      if (opts.top < 1) throw new SflError(`--top must be at least 1 (got ${opts.top})`);
      await initBackend();
      const run = await loadTrainedRun(target, opts.outputs);
      if (run.cannotClassify) throw new SflError(run.cannotClassify);
      if (run.input.kind === 'image') return classifyImages(run, targets, opts);
      const inputs = scanAudioTargets(targets);
      const paths = inputs.paths;
      const { predictions, skipped } = await classifyRecordings(run, paths, { segment: opts.segment, hop: opts.hop, minLevel: opts.minLevel });
      for (const s of skipped) {
        if (opts.json) console.log(JSON.stringify({ file: s.path, error: s.reason }));
        else process.stderr.write(`skipped ${s.reason}\n`);
      }
      const names = run.classNames!;
      for (const p of predictions) {
        const top = topClasses(p.probabilities, names, opts.top);
        if (opts.json) {
          const segments = p.segments.map((s) => ({ start: s.start, end: s.end, label: s.label, top: topClasses(s.probabilities, names, opts.top), level: Number(s.level.toFixed(1)) }));
          console.log(JSON.stringify({ file: p.file, seconds: p.seconds, label: p.label, top, segments }));
          continue;
        }
        console.log(`${p.file}\t${p.label}\t${top.map((t) => `${t.label} ${pct(t.probability)}`).join(', ')}`);
        if (p.segments.length > 1) for (const line of segmentLines(p.segments, names)) console.log(line);
      }
      // The last line: every file given or found accounted for.
      process.stderr.write(`${targetsSummary(inputs, predictions.length, skipped)}\n`);
      if (skipped.length && !opts.json) process.exitCode = 1;
    });
}
