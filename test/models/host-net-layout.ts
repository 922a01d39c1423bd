import { hostLayer, type HostLayer } from '../../src/models/mnist-baselines/host-sgd.ts';

/**
 * The parameters of a host network (layer sizes, then a softmax of `classes`) as one flat vector
 * in the device model's order: W_1, b_1, ..., Wout, bout. The host-step tests turn it into
 * layers and back, to compare a step's change of the weights with a numerical gradient.
 */
export function netLayout(sizes: number[], classes: number) {
  const shapes: number[][] = [...sizes.slice(1).flatMap((h, i) => [[sizes[i], h], [h]]), [sizes[sizes.length - 1], classes], [classes]];
  const counts = shapes.map((s) => s.reduce((a, b) => a * b, 1));
  const offsets = counts.map((_, i) => counts.slice(0, i).reduce((a, b) => a + b, 0));
  const total = counts.reduce((a, b) => a + b, 0);
  return {
    shapes,
    counts,
    offsets,
    total,
    /** A fixed, varied starting point. */
    theta0: Float64Array.from({ length: total }, (_, i) => Math.sin(1.7 * i + 0.3) * 0.6),
    /** Host layers holding theta's values, the softmax layer last. */
    layersOf(theta: Float64Array): HostLayer[] {
      const part = (k: number) => Float32Array.from(theta.subarray(offsets[k], offsets[k] + counts[k]));
      return shapes.map((_, k) => k).filter((k) => k % 2 === 0).map((k) => hostLayer(part(k), part(k + 1)));
    },
    thetaOf(layers: HostLayer[]): Float64Array {
      const t = new Float64Array(total);
      layers.forEach((L, i) => {
        t.set(L.W, offsets[2 * i]);
        t.set(L.b, offsets[2 * i + 1]);
      });
      return t;
    },
  };
}
