import { describe, expect, it } from 'vitest';
import { humanMetricName } from '../../src/pipeline/metric-names.ts';

describe('humanMetricName', () => {
  it('reads the keys users complained about as words', () => {
    expect(humanMetricName('beforeFineTune.train.accuracy')).toBe('Before fine-tuning: training accuracy');
    expect(humanMetricName('afterFineTune.test.accuracy')).toBe('After fine-tuning: test accuracy');
    expect(humanMetricName('secondsPerStage.layer 1')).toBe('Seconds per stage: layer 1');
    expect(humanMetricName('testAccuracy')).toBe('Test accuracy');
    expect(humanMetricName('baselineAccuracy')).toBe('Baseline test accuracy (no feature learning)');
    expect(humanMetricName('sae.finalCost')).toBe('Sparse autoencoder: final cost');
  });

  it('splits an unknown camelCase key into words rather than showing it raw', () => {
    expect(humanMetricName('meanPooledWidth')).toBe('Mean pooled width');
    expect(humanMetricName('layers.secondLayer_units')).toBe('Layers: second layer units');
  });
});
