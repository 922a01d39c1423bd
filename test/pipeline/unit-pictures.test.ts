import { describe, expect, it } from 'vitest';
import { defaultSpectrumParams } from '../../src/audio/spectrogram.ts';
import { Preprocessor } from '../../src/features/preprocess.ts';
import { paramCount } from '../../src/models/sae/sparse-autoencoder.ts';
import { packStacked } from '../../src/models/stacked/params.ts';
import { StackedModel } from '../../src/models/stacked/stacked.ts';
import { stackedLayerPicture } from '../../src/pipeline/unit-pictures.ts';

const identityPreprocessor = (d: number) => new Preprocessor({ normalise: 'none', whitening: { kind: 'none', epsilon: 0, retainVariance: 1 } }).fit({ data: new Float32Array(4 * d), rows: 4, cols: d });

/** A stacked model [in, h1, h2] whose layer weights are given; softmax and biases zero. */
function stacked(sizes: number[], Ws: number[][]) {
  const shape = { layerSizes: sizes, numClasses: 2, bias: true };
  const layers = Ws.map((W, l) => ({ W: Float64Array.from(W), b: new Float64Array(sizes[l + 1]) }));
  const theta = packStacked({ softmax: new Float64Array(2 * sizes[sizes.length - 1] + 2), layers }, shape);
  return new StackedModel(sizes, 2, true, theta);
}

describe('stacked unit pictures', () => {
  it('MNIST: layer 2 units as the combination of the layer-1 filters they weight most; no layer 3', () => {
    // 4-pixel "images" (2 x 2); layer 1 = identity on 4 units; layer 2 unit 1 = 2 x unit 3 - 1 x unit 1.
    const model = stacked([4, 4, 2], [[1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1], [-1, 0, 2, 0, 0, 0, 0, 1]]);
    const c = { model, preprocessor: identityPreprocessor(4), input: { kind: 'image' as const, width: 2, height: 2 } };
    expect(stackedLayerPicture(c, null, 1)!.caption).toMatch(/first-layer unit \(4\)/);
    const p2 = stackedLayerPicture(c, null, 2)!;
    expect(p2.caption).toContain('unit 1 = 2.0 x layer-1 unit 3 - 1.0 x layer-1 unit 1');
    expect(p2.image.width).toBeGreaterThan(2 * 2 * 2);
    expect(stackedLayerPicture(c, null, 3)).toBeNull();
  });

  it('audio: a stacked unit is drawn from the window autoencoder units it weights, summed over the pooled blocks', () => {
    const K = 2, B = 3, h = 3, blocks = 2; // 3 window units, pooled into 2 blocks: 6 stacked inputs
    const spectrum = { ...defaultSpectrumParams(8000), bands: B };
    const windowSae = {
      input: { kind: 'spectro-temporal' as const, frames: K, bands: B, spectrum, bandHz: [200, 500, 1000] },
      preprocessor: identityPreprocessor(K * B),
      hyper: { hidden: h, weightDecay: 0, beta: 0, rho: 0.1, decoder: 'linear' as const },
      theta: Float64Array.from({ length: paramCount(K * B, h) }, (_, i) => Math.sin(i + 1)),
    };
    // Stacked unit 1 weighs window unit 2 by 1.5 in block 0 and 0.5 in block 1 (2.0 in all).
    const W = new Array(1 * h * blocks).fill(0);
    W[1] = 1.5;
    W[h + 1] = 0.5;
    const model = stacked([h * blocks, 1], [W]);
    const p = stackedLayerPicture({ model, preprocessor: identityPreprocessor(h * blocks), input: { kind: 'image', width: h, height: blocks } }, windowSae, 1)!;
    expect(p.caption).toContain('unit 1 = 2.0 x window-autoencoder unit 2');
    expect(p.caption).toMatch(/frequency \(Hz\)/);
  });
});
