/**
 * Live audio from the microphone, cut into the run's segments: the browser captures at its own
 * rate (often 48 kHz), the samples stream through the same resampler Node's decoder uses
 * (audio/resample.ts StreamResampler) to the run's rate, and every `hop` seconds the last
 * `segment` seconds are handed on, as `sfl classify` cuts a long recording:
 *
 *   segment i = resampled samples [i * H, i * H + S), S = round(segment * rate), H = round(hop * rate).
 *
 * The capture runs in an AudioWorklet (the audio thread), which posts each 128-sample render
 * block to the page; the worklet's code is a Blob URL, so the page needs no second script file.
 */
import { StreamResampler } from '../audio/resample.ts';

const WORKLET = `
registerProcessor('sfl-capture', class extends AudioWorkletProcessor {
  process(inputs) {
    const channels = inputs[0];
    if (channels && channels.length) {
      // Mono as the decoder makes it: the channels averaged.
      const out = new Float32Array(channels[0].length);
      for (const c of channels) for (let i = 0; i < out.length; i++) out[i] += c[i] / channels.length;
      this.port.postMessage(out, [out.buffer]);
    }
    return true;
  }
});`;

export interface LiveSegment {
  /** Seconds since the capture started. */
  start: number;
  end: number;
  /** The segment's samples at the run's rate. */
  samples: Float32Array;
}

export class MicrophoneSegments {
  private constructor(
    private readonly context: AudioContext,
    private readonly stream: MediaStream,
    private readonly node: AudioWorkletNode,
    readonly captureRate: number,
  ) {}

  /**
   * Asks for the microphone and starts cutting segments; `onSegment` gets each one as soon as its
   * last sample has arrived.
   */
  static async start(rate: number, segment: number, hop: number, onSegment: (s: LiveSegment) => void): Promise<MicrophoneSegments> {
    if (!navigator.mediaDevices?.getUserMedia) throw new Error('this browser gives pages no microphone (it needs https or http://127.0.0.1)');
    // The raw signal: echo cancellation, noise suppression and gain control would change what the model hears.
    const stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
    const context = new AudioContext();
    const url = URL.createObjectURL(new Blob([WORKLET], { type: 'text/javascript' }));
    try {
      await context.audioWorklet.addModule(url);
    } finally {
      URL.revokeObjectURL(url);
    }
    const node = new AudioWorkletNode(context, 'sfl-capture');
    const resampler = await StreamResampler.create(context.sampleRate, rate, 'the microphone');
    const S = Math.round(segment * rate), H = Math.max(1, Math.round(hop * rate));
    // The resampled signal from sample `offset` on; trimmed as segments are handed out.
    let buffer = new Float32Array(0);
    let offset = 0;
    let next = 0;
    node.port.onmessage = (e: MessageEvent<Float32Array>) => {
      const y = resampler.push(e.data);
      if (y.length === 0) return;
      const grown = new Float32Array(buffer.length + y.length);
      grown.set(buffer);
      grown.set(y, buffer.length);
      buffer = grown;
      while (offset + buffer.length >= next + S) {
        const from = next - offset;
        onSegment({ start: next / rate, end: (next + S) / rate, samples: buffer.slice(from, from + S) });
        next += H;
        const drop = Math.min(next - offset, buffer.length);
        buffer = buffer.slice(drop);
        offset += drop;
      }
    };
    context.createMediaStreamSource(stream).connect(node);
    // Connected to the output (it writes silence) so that the audio graph keeps pulling the worklet.
    node.connect(context.destination);
    return new MicrophoneSegments(context, stream, node, context.sampleRate);
  }

  async stop(): Promise<void> {
    this.node.port.onmessage = null;
    this.node.disconnect();
    for (const t of this.stream.getTracks()) t.stop();
    await this.context.close();
  }
}
