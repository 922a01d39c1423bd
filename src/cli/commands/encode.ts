import { Option, type Command } from 'commander';
import { resolve } from 'node:path';
import { initBackend } from '../../compute/backend.ts';
import { writeFileAtomic } from '../../data/atomic-write.ts';
import { writeNpy } from '../../data/npy.ts';
import { encodeRecordings, type EncodePer } from '../../pipeline/encode-recordings.ts';
import { loadTrainedRun, type TrainedRun } from '../../pipeline/trained-run.ts';
import { readImageFiles, scanImageTargets } from '../../data/image-files.ts';
import { SflError } from '../../util/errors.ts';
import { runLookupOption } from '../experiment-options.ts';
import { setQuiet } from '../../util/progress.ts';
import { scanAudioTargets, targetsSummary } from '../../pipeline/audio-set.ts';

interface EncodeFlags {
  out: string;
  per: EncodePer;
  outputs: string;
  quiet?: boolean;
}

/** A run on images: one row of features per image (PNG or idx), with the sidecar naming each. */
function encodeImages(run: TrainedRun, targets: string[], out: string): void {
  if (run.cannotEncode) throw new SflError(run.cannotEncode);
  if (run.input.kind !== 'image') throw new Error('an image run');
  const found = scanImageTargets(targets);
  const { images, skipped } = readImageFiles(found.paths, run.input.width, run.input.height);
  const all = [...found.skipped, ...skipped];
  for (const s of all) process.stderr.write(`warning: skipped ${s.path}: ${s.reason}\n`);
  if (images.length === 0) throw new SflError(`run ${run.dir} encodes ${run.input.width} x ${run.input.height} images (PNG files or MNIST idx image files), and none of the files given holds one`);
  const { features } = run.encode(images.map((i) => i.image));
  writeNpy(out, features);
  const sidecar = { run: run.dir, model: run.describe(), per: 'image', shape: [features.rows, features.cols], layout: 'one row per image, in the order of images[]', images: images.map((i) => i.name), skipped: all };
  writeFileAtomic(`${out}.json`, Buffer.from(JSON.stringify(sidecar, null, 2)));
  console.log(`${resolve(out)}: ${features.rows} x ${features.cols} features (one row per image)${all.length ? ` (${all.length} file(s) skipped)` : ''}`);
  if (all.length) process.exitCode = 1;
}

/** `sfl encode`: a trained run's learned features of recordings, as .npy with a JSON sidecar. */
export function registerEncode(program: Command): void {
  program
    .command('encode')
    .description(
      'write the learned features of recordings (a self-taught, conv, stacked or train-sae run) as a float32 .npy ' +
        'array with a JSON sidecar <file.npy>.json naming each recording\'s rows: one row per recording (the run\'s ' +
        'pooling over time) or one row per window of K frames (hop one frame)',
    )
    .argument('<run>', 'a run name (under --outputs) or a run folder')
    .argument('<audio...>', 'audio files (WAV, MP3, FLAC, Ogg, Opus) or folders of them; for a run on images (the MNIST runs), PNG files or MNIST idx image files or folders of them (one row per image)')
    .requiredOption('--out <file.npy>', 'where to write the array; the sidecar is <file.npy>.json')
    .addOption(new Option('--per <what>', 'recording: one pooled row per recording; window: one row per window').choices(['recording', 'window']).default('recording'))
    .addOption(runLookupOption())
    .option('--quiet', 'no progress display')
    .action(async (target: string, targets: string[], flags: EncodeFlags) => {
      if (flags.quiet) setQuiet(true);
      if (!flags.out.endsWith('.npy')) throw new SflError(`--out must name a .npy file (got ${flags.out})`);
      await initBackend();
      const run = await loadTrainedRun(target, flags.outputs);
      if (run.input.kind === 'image') return encodeImages(run, targets, flags.out);
      const inputs = scanAudioTargets(targets);
      const paths = inputs.paths;
      const r = await encodeRecordings(run, paths, flags.per);
      for (const s of r.skipped) process.stderr.write(`warning: skipped ${s.reason}\n`);
      if (r.recordings.length === 0) {
        process.stderr.write(`${targetsSummary(inputs, 0, r.skipped)}\n`);
        throw new SflError(`none of the ${paths.length} recordings could be used; first problem: ${r.skipped[0]?.reason}`);
      }
      writeNpy(flags.out, r.features);
      const spectrum = run.input.kind === 'audio' ? run.input.spectrum : null;
      const sidecar = {
        run: run.dir,
        model: run.describe(),
        per: r.per,
        shape: [r.features.rows, r.features.cols],
        layout:
          r.per === 'recording'
            ? 'one row per recording (recordings[].rows), the window features pooled over time as `pooling` says'
            : 'one row per window of the recording (window j starts at frame j, j * spectrum.hop / spectrum.sampleRate seconds); recordings follow one another, see recordings[].rows = [start, end)',
        pooling: r.pool,
        spectrum,
        recordings: r.recordings,
        skipped: r.skipped,
      };
      writeFileAtomic(`${flags.out}.json`, Buffer.from(JSON.stringify(sidecar, null, 2)));
      console.log(
        `${resolve(flags.out)}: ${r.features.rows} x ${r.features.cols} features (${r.per === 'recording' ? 'one row per recording' : 'one row per window'}) ` +
          `from ${r.recordings.length} of ${paths.length} recordings${r.skipped.length ? ` (${r.skipped.length} skipped)` : ''}`,
      );
      process.stderr.write(`${targetsSummary(inputs, r.recordings.length, r.skipped)}\n`);
      if (r.skipped.length) process.exitCode = 1;
    });
}
