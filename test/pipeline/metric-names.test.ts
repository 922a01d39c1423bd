import { describe, expect, it } from 'vitest';
import { humanMetricName, humanMetricValue } from '../../src/pipeline/metric-names.ts';

describe('humanMetricName', () => {
  it('reads the keys users complained about as words', () => {
    expect(humanMetricName('beforeFineTune.train.accuracy')).toBe('Before fine-tuning: training accuracy');
    expect(humanMetricName('afterFineTune.test.accuracy')).toBe('After fine-tuning: test accuracy');
    expect(humanMetricName('secondsPerStage.layer 1')).toBe('Seconds per stage: layer 1');
    expect(humanMetricName('testAccuracy')).toBe('Test accuracy');
    expect(humanMetricName('baselineAccuracy')).toBe('Baseline test accuracy (no feature learning)');
    expect(humanMetricName('sae.finalCost')).toBe('Sparse autoencoder: final cost');
    // The top-level one is the last stage's, not the autoencoder's of cost.png: it says so.
    expect(humanMetricName('finalCost')).toBe('Final cost (of the last stage trained)');
    // The spectrum's frequency range, as report.html shows it beside the frame and hop.
    expect(humanMetricName('spectrum.fMax')).toBe('Spectrum: highest frequency (Hz)');
    expect(humanMetricName('spectrum.asked.fMin')).toBe('Spectrum, asked: lowest frequency (Hz)');
    expect(humanMetricName('spectrum.fMaxCapped')).toBe('Spectrum: highest frequency lowered to');
  });

  it('names the autoencoder\'s and the optimiser\'s own keys in words', () => {
    expect(humanMetricName('funEvals')).toBe('Cost evaluations');
    expect(humanMetricName('visible')).toBe('Inputs per example (visible units)');
    expect(humanMetricName('trainSeconds')).toBe('Training time (s)');
  });

  it('splits an unknown camelCase key into words rather than showing it raw', () => {
    expect(humanMetricName('meanPooledWidth')).toBe('Mean pooled width');
    expect(humanMetricName('layers.secondLayer_units')).toBe('Layers: second layer units');
  });
});

describe('humanMetricValue', () => {
  it('gives durations to a tenth of a second (a hundredth below 10 s)', () => {
    expect(humanMetricValue('trainSeconds', '0.273657')).toBe('0.27');
    expect(humanMetricValue('seconds', '123.456')).toBe('123.5');
    expect(humanMetricValue('sae.trainSeconds', '12')).toBe('12.0');
    expect(humanMetricValue('iterations', '0.273657')).toBe('0.273657');
  });

  it("says why training stopped in words, keeping the optimiser's code", () => {
    expect(humanMetricValue('softmax.stopReason', 'optTol')).toBe('converged (gradient below tolerance) [optTol]');
    expect(humanMetricValue('stopReason', 'maxIter')).toBe('reached the iteration limit [maxIter]');
    expect(humanMetricValue('convAe.fineTune.stopReason', 'callback')).toMatch(/^stopped early/);
  });

  it('leaves other values and unknown reasons as they are', () => {
    expect(humanMetricValue('softmax.iterations', 'optTol')).toBe('optTol');
    expect(humanMetricValue('stopReason', 'somethingNew')).toBe('somethingNew');
  });

  it('names the convolutional autoencoder and the audio folder in words', () => {
    expect(humanMetricName('convAe.pretrainEpochs')).toBe('Convolutional autoencoder: pretrain epochs');
    expect(humanMetricName('data.audioDir')).toBe('Data: audio folder');
  });
});
