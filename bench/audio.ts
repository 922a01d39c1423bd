/**
 * Audio front-end benchmark: decode every WAV of the default sound set and compute its mel
 * spectrogram (default params, at FSDD's 8 kHz: frame 256, hop 128, Hann, 40 bands, power, log), on one thread.
 * Reading the files is timed separately from decoding + mel, so disk cache state does not
 * blur the real-time factor of the front end itself. Both wall-clock and process CPU time are
 * reported: on a shared machine the wall figure mostly measures the other processes, while CPU
 * time (user + system of this process, single-threaded work) is what one core actually spent.
 *
 * Run alone: npx tsx bench/audio.ts
 */
import { readFile } from 'node:fs/promises';
import { scanAudioFiles } from '../src/data/audio-files.ts';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { defaultSpectrumParams } from '../src/audio/spectrogram.ts';
import { spectrogram } from '../src/audio/spectrogram-stream.ts';
import { decodeWav } from '../src/audio/wav.ts';

/** The default sound set, relative to this file. */
const RECORDINGS = fileURLToPath(new URL('../audio/fsdd/recordings/', import.meta.url));

/**
 * @param dir folder of .wav files, default the FSDD recordings.
 * @returns printable lines: file count, audio seconds, time, real-time factor.
 */
export async function benchAudio(dir: string = RECORDINGS): Promise<string[]> {
  // The one folder scan every command uses; this bench times our WAV reader, so it reads the WAV files.
  const names = scanAudioFiles(dir).files.filter((n) => n.toLowerCase().endsWith('.wav'));
  const t0 = performance.now();
  const files = await Promise.all(names.map((n) => readFile(n)));
  const readMs = performance.now() - t0;

  let audioSeconds = 0;
  let frames = 0;
  const cpu0 = process.cpuUsage();
  const t1 = performance.now();
  for (let i = 0; i < files.length; i++) {
    const wav = decodeWav(files[i], names[i]);
    const mel = spectrogram(wav.samples, defaultSpectrumParams(wav.sampleRate));
    audioSeconds += wav.durationSeconds;
    frames += mel.rows;
  }
  const computeSeconds = (performance.now() - t1) / 1000;
  const used = process.cpuUsage(cpu0);
  const cpuSeconds = (used.user + used.system) / 1e6;
  const mb = files.reduce((s, f) => s + f.length, 0) / 1e6;
  return [
    `audio: ${names.length} files, ${audioSeconds.toFixed(1)} s of audio (${(audioSeconds / 60).toFixed(1)} min), ${frames} frames, ${mb.toFixed(1)} MB`,
    `audio: read files ${(readMs / 1000).toFixed(3)} s (not counted below)`,
    `audio: decode + mel spectra (frame 256, hop 128, 40 bands) ${computeSeconds.toFixed(3)} s wall, ${cpuSeconds.toFixed(3)} s CPU`,
    `audio: real-time factor ${(audioSeconds / computeSeconds).toFixed(0)}x wall, ${(audioSeconds / cpuSeconds).toFixed(0)}x CPU (target >= 500x on one core)`,
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const line of await benchAudio()) console.log(line);
}
