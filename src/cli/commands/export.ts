import type { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { initBackend } from '../../compute/backend.ts';
import { pipelineToOnnx } from '../../pipeline/onnx-export.ts';
import { loadTrainedRun } from '../../pipeline/trained-run.ts';
import { exportTfjs } from '../../pipeline/tfjs-export.ts';
import { writeWebSite } from '../../pipeline/web-site.ts';
import { SflError } from '../../util/errors.ts';
import { runLookupOption } from '../experiment-options.ts';

/** `sfl export <run> --onnx | --tfjs <dir>`: a trained run as one .onnx file plus a JSON description, or as TensorFlow.js LayersModels plus frontend.json. */
export function registerExport(program: Command): void {
  program
    .command('export')
    .description(
      'write a trained run in a format other programs load: with --tfjs, any run that classifies as TensorFlow.js ' +
        'LayersModels plus frontend.json; with --onnx, a trained audio pipeline (a run of `npm start`, `sfl self-taught --audio` or `sfl conv` on audio) as one ONNX model that takes a ' +
        'recording\'s samples (mono, at the run\'s sample rate; the spectrum is inside the model) and gives the class ' +
        'probabilities, plus <file>.json describing its inputs, outputs, sample rate and class names; it runs in any ONNX Runtime ' +
        '(Python, C++, browsers, a Spark or Ray job)',
    )
    .argument('<run>', 'a run name (under outputs/), a run folder, or its pipeline/ folder')
    .option('--onnx', 'export the trained audio pipeline as one ONNX model (samples in, class probabilities out) with <file>.json describing it')
    .option('--out <file>', 'where to write the model (default: <run>/pipeline.onnx)')
    .option(
      '--tfjs <dir>',
      'export as TensorFlow.js LayersModels instead, any run that classifies (self-taught, conv, stacked, conv-ae, train-softmax, the MNIST runs): ' +
        '<dir>/classifier/ and, for runs that encode windows of a spectrogram, <dir>/encoder/ (model.json + weights.bin, for tf.loadLayersModel), ' +
        'and <dir>/frontend.json saying how to make their input (spectrum settings, windows or fixed length, pooling, the preprocessing inside the models)',
    )
    .option('--web <dir>', 'write the run\'s page in the browser instead (what `sfl serve` shows) as static files in <dir>: index.html, sfl-page.js and chunks/ (the decoders and the resampler, loaded when a file needs them), tfjs-wasm/, model/ (as --tfjs writes it), filters.png; put them on any web server')
    .addOption(runLookupOption())
    .action(async (run: string, opts: { onnx?: boolean; out?: string; tfjs?: string; web?: string; outputs: string }) => {
      const formats = [opts.onnx && '--onnx', opts.tfjs && '--tfjs <dir>', opts.web && '--web <dir>'].filter(Boolean);
      if (formats.length === 0) throw new SflError('sfl export needs a format: add --onnx, --tfjs <dir> or --web <dir>');
      if (formats.length > 1) throw new SflError(`sfl export writes one format at a time, not ${formats.join(' and ')}`);
      await initBackend();
      const trained = await loadTrainedRun(run, opts.outputs);
      if (opts.web) {
        const files = await writeWebSite(trained, opts.web);
        console.log(`wrote the page of ${trained.describe()} to ${resolve(opts.web)} (${files.length} files); put the folder on any web server (browsers refuse the microphone and fetching the model from file://)`);
        return;
      }
      if (opts.tfjs) {
        const files = await exportTfjs(trained, opts.tfjs);
        console.log(`wrote ${files.map((f) => resolve(f)).join(', ')}`);
        return;
      }
      // A run with no classifier has nothing to export in any format: its own sentence says what to do.
      if (trained.cannotClassify) throw new SflError(trained.cannotClassify);
      if (!trained.audioPipeline) {
        throw new SflError(`${trained.dir} is a ${trained.kind} run; export --onnx takes the audio pipelines of npm start, sfl self-taught --audio and sfl conv on audio; --tfjs <dir> exports this run`);
      }
      // loadTrainedRun has read the pipeline already: exported from that, not read a second time.
      const { model, description } = pipelineToOnnx(trained.audioPipeline);
      const out = resolve(opts.out ?? join(trained.dir, 'pipeline.onnx'));
      await writeFile(out, model);
      await writeFile(`${out}.json`, `${JSON.stringify(description, null, 2)}\n`);
      console.log(`wrote ${out} (${(model.length / 1024).toFixed(0)} KiB, ${description.classNames.length} classes) and ${out}.json`);
    });
}
