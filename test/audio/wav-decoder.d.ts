// wav-decoder ships no types; the tests use it only as an independent cross-check.
declare module 'wav-decoder' {
  interface AudioData {
    sampleRate: number;
    channelData: Float32Array[];
  }
  export function decode(buffer: ArrayBuffer, opts?: { symmetric?: boolean }): Promise<AudioData>;
}
