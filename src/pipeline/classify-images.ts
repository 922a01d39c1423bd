/**
 * Classify image files (PNG, idx) with a run that takes images (the MNIST runs): the image
 * counterpart of classify-recordings.ts, for `sfl classify`.
 */
import type { SkippedFile } from '../data/audio-files.ts';
import { readImageFiles } from '../data/image-files.ts';
import { SflError } from '../util/errors.ts';
import type { TrainedRun } from './trained-run.ts';

export interface ImagePrediction {
  /** The file, with the image's index for an idx file ("file[7]"). */
  file: string;
  label: string;
  probabilities: number[];
}

export function classifyImageFiles(run: TrainedRun, paths: readonly string[]): { predictions: ImagePrediction[]; skipped: SkippedFile[] } {
  if (run.input.kind !== 'image') throw new SflError(`run ${run.dir} classifies recordings, not images`);
  if (run.cannotClassify) throw new SflError(run.cannotClassify);
  const { images, skipped } = readImageFiles(paths, run.input.width, run.input.height);
  if (images.length === 0) return { predictions: [], skipped };
  const { labels, probs } = run.classify(images.map((i) => i.image));
  const names = run.classNames!;
  return {
    predictions: images.map((img, i) => ({ file: img.name, label: names[labels[i]], probabilities: Array.from(probs.data.subarray(i * probs.cols, (i + 1) * probs.cols)) })),
    skipped,
  };
}
