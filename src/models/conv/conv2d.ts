/**
 * 2-D convolutions (stride 1, NHWC, filters [kh, kw, in, out]) whose gradients are themselves
 * forward convolutions. The wasm backend has no Conv2DBackpropFilter kernel and its
 * Conv2DBackpropInput is slow, while its forward Conv2D is fast; so both ops carry their own
 * gradient (tf.customGrad), and everything above them (pooling, activations, losses) is
 * differentiated by tfjs.
 *
 *   valid:  y[n,i,j,o] = sum_{p,q,c} x[n,i+p,j+q,c] W[p,q,c,o]          [N,H,W,C] -> [N,H-kh+1,W-kw+1,O]
 *   full:   the transpose (adjoint) of valid with the same W            [N,H,W,O] -> [N,H+kh-1,W+kw-1,C]
 *           = valid(h zero-padded by kh-1 / kw-1, flip(W) with in/out swapped)
 *
 * Gradients (dy: the gradient of the output; filterGradient(a, g)[p,q,c,o] = sum_{n,i,j} a[n,i+p,j+q,c] g[n,i,j,o]):
 *   valid:  dW = filterGradient(x, dy)       dx = full(dy, W)
 *   full:   dW = filterGradient(dy, h)       dh = valid(dy, W)
 * filterGradient is one forward convolution with batch and channels swapped: the data
 * [c, H, W, n] as the "image" and the gradient [i, j, n, o] as the "filter" (a valid convolution
 * sums over the filter's input channels, here the batch). Measured on wasm, batch 500, 12x12x20 ->
 * 8x8x50: the input gradient 0.2 s this way against 1.7 s by the backend's own kernel.
 * The full convolution is the tied decoder of a convolutional autoencoder (conv-autoencoder.ts).
 */
import * as tf from '@tensorflow/tfjs';

/** filterGradient(a, g)[p, q, c, o] = sum_{n,i,j} a[n, i+p, j+q, c] g[n, i, j, o]: shape [kh, kw, C, O]. */
export function filterGradient(a: tf.Tensor4D, g: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() =>
    tf.transpose(
      tf.conv2d(tf.transpose(a, [3, 1, 2, 0]) as tf.Tensor4D, tf.transpose(g, [1, 2, 0, 3]) as tf.Tensor4D, 1, 'valid'),
      [1, 2, 0, 3],
    ) as tf.Tensor4D,
  );
}

/** The kernel for the full convolution: W [kh, kw, C, O] flipped in space, in/out swapped -> [kh, kw, O, C]. */
function flipKernel(W: tf.Tensor4D): tf.Tensor4D {
  return tf.transpose(tf.reverse(W, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
}

/** Forward of the full convolution, without a gradient of its own. */
function fullForward(h: tf.Tensor4D, W: tf.Tensor4D): tf.Tensor4D {
  const [kh, kw] = W.shape;
  return tf.conv2d(tf.pad(h, [[0, 0], [kh - 1, kh - 1], [kw - 1, kw - 1], [0, 0]]), flipKernel(W), 1, 'valid');
}

/**
 * Valid 2-D convolution (stride 1) of NHWC `x` with `W` [kh, kw, in, out], gradients as above.
 * With `inputGradient` false, dx is returned as zeros (a first layer, whose input is data).
 */
export function conv2dValid(x: tf.Tensor4D, W: tf.Tensor4D, inputGradient = true): tf.Tensor4D {
  checkShapes('conv2dValid', x, W, 3);
  const op = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xx, ww, save] = inputs as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    save([xx, ww]);
    return {
      value: tf.conv2d(xx, ww, 1, 'valid'),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ws] = saved as [tf.Tensor4D, tf.Tensor4D];
        const d = dy as tf.Tensor4D;
        return [inputGradient ? fullForward(d, ws) : tf.zerosLike(xs), filterGradient(xs, d)];
      },
    };
  });
  return op(x, W) as tf.Tensor4D;
}

/**
 * Full ("transposed") 2-D convolution of NHWC `h` [N, H, W, out] with `W` [kh, kw, in, out]:
 * the adjoint of conv2dValid with the same W, so [N, H+kh-1, W+kw-1, in]. A tied decoder
 * reconstructs an encoder's input from its feature maps this way.
 */
export function conv2dFull(h: tf.Tensor4D, W: tf.Tensor4D): tf.Tensor4D {
  checkShapes('conv2dFull', h, W, 4);
  const op = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [hh, ww, save] = inputs as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    save([hh, ww]);
    return {
      value: fullForward(hh, ww),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [hs, ws] = saved as [tf.Tensor4D, tf.Tensor4D];
        const d = dy as tf.Tensor4D;
        return [tf.conv2d(d, ws, 1, 'valid'), filterGradient(d, hs)];
      },
    };
  });
  return op(h, W) as tf.Tensor4D;
}

/** Rank, channel and size checks with a sentence (tfjs's own messages do not name the op). */
function checkShapes(op: string, x: tf.Tensor4D, W: tf.Tensor4D, channelAxisOfW: 3 | 4): void {
  if (x.rank !== 4 || W.rank !== 4) throw new RangeError(`${op}: input and filters must be rank 4 (NHWC and [kh, kw, in, out]), got ranks ${x.rank} and ${W.rank}`);
  const [, h, w, c] = x.shape;
  const [kh, kw, cin, cout] = W.shape;
  const channels = channelAxisOfW === 3 ? cin : cout;
  if (c !== channels) throw new RangeError(`${op}: the input has ${c} channels, the filters expect ${channels}`);
  if (channelAxisOfW === 3 && (h < kh || w < kw)) throw new RangeError(`${op}: a ${h}x${w} input is smaller than the ${kh}x${kw} filters`);
}

/**
 * 1 where `h` [N, H, W, C] holds the maximum `m` of its non-overlapping ph x pw region, else 0;
 * also 0 in rows and columns past the last whole region (pooling drops them). Nearest-neighbour
 * resizing by a whole factor is the upsampling (much faster on wasm than a 6-D tile).
 */
export function poolMask(h: tf.Tensor4D, m: tf.Tensor4D, pool: [number, number]): tf.Tensor4D {
  return tf.tidy((): tf.Tensor4D => {
    const [n, H, W, C] = h.shape;
    const [oh, ow] = [m.shape[1] * pool[0], m.shape[2] * pool[1]];
    const crop = oh === H && ow === W ? h : tf.slice(h, [0, 0, 0, 0], [n, oh, ow, C]);
    const keep = tf.cast(tf.equal(crop, tf.image.resizeNearestNeighbor(m, [oh, ow])), 'float32') as tf.Tensor4D;
    return oh === H && ow === W ? keep : tf.pad(keep, [[0, 0], [0, H - oh], [0, W - ow], [0, 0]]);
  });
}

/**
 * Max pooling over non-overlapping ph x pw regions ('valid': rows and columns past the last
 * whole region are dropped). Its gradient goes to the position(s) holding each maximum, computed
 * with poolMask: cheaper on wasm than the backend's MaxPoolGrad kernel, which is also wrong there
 * (tfjs-backend-wasm 4.22: a region whose values are all negative sends its gradient to its first
 * element, not to its maximum). (On a tie every tied
 * position gets the gradient; after a relu the usual tie is at 0, where relu passes none.)
 */
export function maxPool2d(h: tf.Tensor4D, pool: [number, number]): tf.Tensor4D {
  const op = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, save] = inputs as [tf.Tensor4D, tf.GradSaveFunc];
    const m = tf.maxPool(x, pool, pool, 'valid');
    save([x, m]);
    return {
      value: m,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ms] = saved as [tf.Tensor4D, tf.Tensor4D];
        const mask = poolMask(xs, ms, pool);
        const [oh, ow] = [ms.shape[1] * pool[0], ms.shape[2] * pool[1]];
        let up = tf.image.resizeNearestNeighbor(dy as tf.Tensor4D, [oh, ow]);
        if (oh !== xs.shape[1] || ow !== xs.shape[2]) up = tf.pad(up, [[0, 0], [0, xs.shape[1] - oh], [0, xs.shape[2] - ow], [0, 0]]);
        return [tf.mul(up, mask)];
      },
    };
  });
  return op(h) as tf.Tensor4D;
}
