import type { Command } from 'commander';
import { readdirSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { AUDIO_EXTENSIONS } from '../../audio/decode.ts';
import { writeFileAtomic } from '../../data/atomic-write.ts';
import { writeNpy } from '../../data/npy.ts';
import { matrix } from '../../compute/matrix.ts';
import { loadSpectra } from '../../pipeline/spectra.ts';
import { progress } from '../../util/progress.ts';
import { SflError } from '../../util/errors.ts';
import { SPECTRUM_FLAGS } from '../experiment-options.ts';
import { addConfigFileFlags, addConfigFlags, commandConfig } from '../options.ts';

/** The audio files to read for a file or folder argument (folders: recursively, sorted; by extension). */
export function wavPaths(target: string): string[] {
  let st;
  try {
    st = statSync(target);
  } catch (e) {
    throw new SflError(`cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`, target);
  }
  if (st.isFile()) return [target];
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (!entry.name.startsWith('.') && AUDIO_EXTENSIONS.includes(extname(entry.name).toLowerCase() as never)) out.push(p);
    }
  };
  walk(target);
  if (out.length === 0) throw new SflError(`no audio files (${AUDIO_EXTENSIONS.join(', ')}) in this folder`, target);
  return out;
}

/** `sfl features`: spectra of a file or a folder as a NumPy .npy file plus a JSON sidecar. */
export function registerFeatures(program: Command): void {
  const cmd = program
    .command('features')
    .description(
      'compute the spectra of an audio file (WAV, MP3, FLAC, Ogg Vorbis, Opus) or of every audio file in a folder and write the frames as a ' +
        'float32 .npy array (frames x bins, files one after another) with a JSON sidecar of the parameters ' +
        'and of each file\'s row range',
    )
    .argument('<file-or-dir>', 'an audio file or a folder searched recursively for audio files')
    .requiredOption('--out <file.npy>', 'where to write the array; the sidecar is <file.npy>.json');
  addConfigFlags(cmd, SPECTRUM_FLAGS);
  addConfigFileFlags(cmd, 'configs/*.json: its spectrum section is used');
  cmd.option('--no-cache', 'do not read or write the spectra cache');
  cmd.action(async (target: string, opts: { out: string; cache: boolean }) => {
    const { spectrum } = await commandConfig(cmd);
    const paths = wavPaths(target);
    const isFolder = paths.length > 1 || paths[0] !== target;
    const bar = progress({ stage: 'spectra', total: paths.length });
    const res = await loadSpectra(paths, spectrum, {
      skipBad: isFolder,
      cache: opts.cache,
      onProgress: (done) => bar.update(done),
    });
    bar.stop();
    for (const s of res.skipped) process.stderr.write(`warning: skipped ${s.reason}\n`);
  for (const w of res.warnings) process.stderr.write(`warning: ${w}\n`);
    for (const w of res.warnings) process.stderr.write(`warning: ${w}\n`);
    const cols = res.spectra[0].cols;
    const rows = res.spectra.reduce((n, m) => n + m.rows, 0);
    const all = matrix(rows, cols);
    const files: { path: string; rows: [number, number] }[] = [];
    let r = 0;
    res.spectra.forEach((m, i) => {
      all.data.set(m.data, r * cols);
      files.push({ path: res.paths[i], rows: [r, r + m.rows] });
      r += m.rows;
    });
    writeNpy(opts.out, all);
    const sidecar = {
      shape: [rows, cols],
      layout: 'rows are frames (time), columns are bins; files follow one another, see files[].rows = [start, end)',
      params: res.params,
      files,
      skipped: res.skipped,
    };
    writeFileAtomic(`${opts.out}.json`, Buffer.from(JSON.stringify(sidecar, null, 2)));
    console.log(
      `${resolve(opts.out)}: ${rows} frames x ${cols} ${res.params.transform} bins from ${res.spectra.length} file${res.spectra.length === 1 ? "" : "s"}` +
        (res.skipped.length ? ` (${res.skipped.length} skipped)` : ''),
    );
  });
}
