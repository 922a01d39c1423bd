/**
 * The data of a supervised experiment as the config asks for it: MNIST (classification-data.ts)
 * or a folder of audio (audio-classification-data.ts), both in the one ClassificationData shape.
 */
import { SflError } from '../../util/errors.ts';
import type { Config } from '../config.ts';
import { mnistSelfTaughtData, mnistTrainTestData, type ClassificationData, type Log } from './classification-data.ts';

export type ClassificationTask = 'softmax' | 'self-taught' | 'stacked';

/** The data the config asks for. Audio is plugged in here (`data.source === 'audio'`). */
export async function classificationData(config: Config, task: ClassificationTask, log: Log): Promise<ClassificationData> {
  if (config.data.source === 'mnist') {
    return task === 'self-taught' ? mnistSelfTaughtData(config, log) : mnistTrainTestData(config, log);
  }
  if (task === 'self-taught') throw new SflError('self-taught learning on audio runs through the audio self-taught experiment');
  // Loaded only for audio: an MNIST run does not load the audio stack.
  const { audioClassificationData } = await import('./audio-classification-data.ts');
  return audioClassificationData(config, log);
}
