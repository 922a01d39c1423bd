/**
 * Test-only: a plain Float64Array implementation of the sparse autoencoder cost and gradient,
 * written loop by loop from the definitions (no tfjs, no float32), with the same packing as
 * src/models/sae/sparse-autoencoder.ts (W1 h x v, W2 v x h, b1 h, b2 v). It lets the gradient check run
 * in float64, where central differences are accurate to ~1e-9, and gives the float32 model
 * something exact to be compared with.
 *
 * `mistake` plants a deliberate bug in the gradient (the cost stays right), for the tests that show
 * the checker catches it.
 */
import type { Matrix } from '../../../src/compute/matrix.ts';
import type { CostAndGradient } from '../../../src/optim/types.ts';

export interface ReferenceOptions {
  visible: number;
  hidden: number;
  weightDecay: number;
  beta: number;
  rho: number;
  decoder: 'sigmoid' | 'linear';
  mistake?: 'sparsity-sign' | 'no-weight-decay';
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

export function referenceSaeCost(X: Matrix, o: ReferenceOptions): (theta: Float64Array) => CostAndGradient {
  const { visible: v, hidden: h, weightDecay, beta, rho } = o;
  const m = X.rows;
  const x = Float64Array.from(X.data);
  return (theta) => {
    const W1 = (j: number, i: number): number => theta[j * v + i];
    const W2 = (i: number, j: number): number => theta[h * v + i * h + j];
    const b1 = (j: number): number => theta[2 * h * v + j];
    const b2 = (i: number): number => theta[2 * h * v + h + i];
    const a2 = new Float64Array(m * h);
    const a3 = new Float64Array(m * v);
    for (let k = 0; k < m; k++) {
      for (let j = 0; j < h; j++) {
        let z = b1(j);
        for (let i = 0; i < v; i++) z += W1(j, i) * x[k * v + i];
        a2[k * h + j] = sigmoid(z);
      }
      for (let i = 0; i < v; i++) {
        let z = b2(i);
        for (let j = 0; j < h; j++) z += W2(i, j) * a2[k * h + j];
        a3[k * v + i] = o.decoder === 'sigmoid' ? sigmoid(z) : z;
      }
    }
    const rhat = new Float64Array(h);
    for (let k = 0; k < m; k++) for (let j = 0; j < h; j++) rhat[j] += a2[k * h + j] / m;
    let sq = 0;
    for (let n = 0; n < m * v; n++) sq += (a3[n] - x[n]) ** 2;
    let decay = 0;
    for (let n = 0; n < 2 * h * v; n++) decay += theta[n] * theta[n];
    let kl = 0;
    for (let j = 0; j < h; j++) kl += rho * Math.log(rho / rhat[j]) + (1 - rho) * Math.log((1 - rho) / (1 - rhat[j]));
    const cost = (0.5 / m) * sq + 0.5 * weightDecay * decay + beta * kl;

    const grad = new Float64Array(theta.length);
    const sign = o.mistake === 'sparsity-sign' ? -1 : 1;
    const sp = new Float64Array(h);
    for (let j = 0; j < h; j++) sp[j] = sign * beta * (-rho / rhat[j] + (1 - rho) / (1 - rhat[j]));
    const d3 = new Float64Array(v);
    const d2 = new Float64Array(h);
    for (let k = 0; k < m; k++) {
      for (let i = 0; i < v; i++) {
        const a = a3[k * v + i];
        d3[i] = (a - x[k * v + i]) * (o.decoder === 'sigmoid' ? a * (1 - a) : 1);
      }
      for (let j = 0; j < h; j++) {
        let s = sp[j];
        for (let i = 0; i < v; i++) s += W2(i, j) * d3[i];
        const a = a2[k * h + j];
        d2[j] = s * a * (1 - a);
      }
      for (let j = 0; j < h; j++) for (let i = 0; i < v; i++) grad[j * v + i] += (d2[j] * x[k * v + i]) / m;
      for (let i = 0; i < v; i++) for (let j = 0; j < h; j++) grad[h * v + i * h + j] += (d3[i] * a2[k * h + j]) / m;
      for (let j = 0; j < h; j++) grad[2 * h * v + j] += d2[j] / m;
      for (let i = 0; i < v; i++) grad[2 * h * v + h + i] += d3[i] / m;
    }
    if (o.mistake !== 'no-weight-decay') for (let n = 0; n < 2 * h * v; n++) grad[n] += weightDecay * theta[n];
    return { cost, grad };
  };
}
