import type { Command } from 'commander';
import { resolve } from 'node:path';
import { writeFileAtomic } from '../../data/atomic-write.ts';
import { NpyRowWriter } from '../../data/npy-writer.ts';
import { AUDIO_EXTENSIONS } from '../../data/audio-files.ts';
import { loadAudioSet } from '../../pipeline/audio-set.ts';
import { SPECTRUM_FLAGS } from '../experiment-options.ts';
import { addConfigFileFlags, addConfigFlags, commandConfig } from '../options.ts';

/** `sfl features`: spectra of a file or a folder as a NumPy .npy file plus a JSON sidecar. */
export function registerFeatures(program: Command): void {
  const cmd = program
    .command('features')
    .description(
      'compute the spectra of an audio file or of every audio file in a folder (recursively; no labels needed) and write the frames as a ' +
        'float32 .npy array (frames x bins, files one after another) with a JSON sidecar of the parameters ' +
        'and of each file\'s row range',
    )
    .argument('<file-or-dir>', `an audio file or a folder searched recursively for ${AUDIO_EXTENSIONS.join(' ')} files (hidden files ignored)`)
    .requiredOption('--out <file.npy>', 'where to write the array; the sidecar is <file.npy>.json');
  addConfigFlags(cmd, SPECTRUM_FLAGS);
  addConfigFileFlags(cmd, 'configs/*.json: its spectrum section is used');
  cmd.option('--no-cache', 'do not read or write the spectra cache');
  cmd.action(async (target: string, opts: { out: string; cache: boolean }) => {
    const { spectrum } = await commandConfig(cmd);
    // A block of frames at a time, appended to the .npy as it comes: memory is a block, whatever
    // the length of a recording or of the folder. The summary line comes last, after the result line.
    const files: { path: string; rows: [number, number] }[] = [];
    let out: NpyRowWriter | null = null;
    let rows = 0;
    let set;
    try {
      set = await loadAudioSet({
        dir: target,
        labels: null,
        spectrum,
        cache: opts.cache,
        deferSummary: true,
        onSpectrogramBlocks: async (rec, blocks) => {
          const npy = (out ??= new NpyRowWriter(opts.out, blocks.cols));
          try {
            for await (const b of blocks) npy.append(b);
          } catch (e) {
            // A file found bad part-way: its frames are taken back (the writer itself is gone if it failed).
            if (npy.length > rows) npy.rollback(rows);
            throw e;
          }
          files.push({ path: rec.path, rows: [rows, npy.length] });
          rows = npy.length;
        },
      });
      (out as NpyRowWriter | null)?.close();
    } catch (e) {
      (out as NpyRowWriter | null)?.abort();
      throw e;
    }
    const cols = (out as NpyRowWriter | null)?.cols ?? 0;
    const res = { params: set.params, skipped: set.skipped };
    const sidecar = {
      shape: [rows, cols],
      layout: 'rows are frames (time), columns are bins; files follow one another, see files[].rows = [start, end)',
      params: res.params,
      framing: set.framing,
      files,
      skipped: res.skipped,
    };
    writeFileAtomic(`${opts.out}.json`, Buffer.from(JSON.stringify(sidecar, null, 2)));
    console.log(
      `${resolve(opts.out)}: ${rows} frames x ${cols} ${res.params.transform} bins from ${files.length} file${files.length === 1 ? "" : "s"}` +
        (res.skipped.length ? ` (${res.skipped.length} skipped)` : ''),
    );
    process.stderr.write(`${set.summary}\n`);
  });
}
