/**
 * Checkpoints of a training run: a JSON header (config, loop state) and named groups of float32
 * tensors, in ONE file written atomically (temporary file + rename), so a run killed at any
 * moment leaves either the previous checkpoint or the new one, never a mix.
 *
 * Layout: "SFLCKPT1", uint32 LE header length, header JSON (UTF-8), padding to 4 bytes, then the
 * tensors' float32 data in header order.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../data/atomic-write.ts';
import { SflError } from '../../util/errors.ts';

const MAGIC = 'SFLCKPT1';
export const CHECKPOINT_FILE = 'checkpoint.sflckpt';

/** Where the checkpoint of run `name` lives: outside the run's staging folder, which an interrupt deletes. */
export function checkpointDir(outputsRoot: string, name: string): string {
  return join(outputsRoot, '.checkpoints', name);
}

interface Header<H> {
  header: H;
  groups: Record<string, number[][]>;
}

export async function writeCheckpoint<H>(dir: string, header: H, groups: Record<string, tf.Tensor[]>): Promise<void> {
  const shapes: Record<string, number[][]> = {};
  const chunks: Uint8Array[] = [];
  for (const [name, tensors] of Object.entries(groups)) {
    shapes[name] = tensors.map((t) => t.shape);
    for (const t of tensors) {
      const data = (await t.data()) as Float32Array;
      chunks.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    }
  }
  const json = Buffer.from(JSON.stringify({ header, groups: shapes } satisfies Header<H>), 'utf8');
  const pad = (4 - ((MAGIC.length + 4 + json.length) % 4)) % 4;
  const len = Buffer.alloc(4);
  len.writeUInt32LE(json.length + pad);
  writeFileAtomic(join(dir, CHECKPOINT_FILE), Buffer.from(MAGIC), len, json, Buffer.alloc(pad, 0x20), ...chunks);
}

export interface LoadedCheckpoint<H> {
  header: H;
  groups: Record<string, { shape: number[]; data: Float32Array }[]>;
}

export function readCheckpoint<H>(dir: string): LoadedCheckpoint<H> {
  const path = join(dir, CHECKPOINT_FILE);
  if (!existsSync(path)) throw new SflError('no checkpoint to resume from', path);
  const buf = readFileSync(path);
  if (buf.subarray(0, MAGIC.length).toString('latin1') !== MAGIC) throw new SflError('not an sfl checkpoint', path);
  const len = buf.readUInt32LE(MAGIC.length);
  let offset = MAGIC.length + 4;
  const parsed = JSON.parse(buf.subarray(offset, offset + len).toString('utf8')) as Header<H>;
  offset += len;
  const groups: LoadedCheckpoint<H>['groups'] = {};
  for (const [name, shapes] of Object.entries(parsed.groups)) {
    groups[name] = shapes.map((shape) => {
      const n = shape.reduce((a, b) => a * b, 1);
      if (offset + 4 * n > buf.length) throw new SflError('checkpoint is truncated', path);
      // Copy: the file buffer's offset need not suit a Float32Array view.
      const data = new Float32Array(buf.buffer.slice(buf.byteOffset + offset, buf.byteOffset + offset + 4 * n));
      offset += 4 * n;
      return { shape, data };
    });
  }
  return { header: parsed.header, groups };
}

/** Copies saved values into `vars` (same order and shapes), checking that they match. */
export function assignSaved(vars: tf.Variable[], saved: { shape: number[]; data: Float32Array }[], what: string): void {
  if (saved.length !== vars.length) throw new SflError(`checkpoint ${what}: ${saved.length} tensors, the model has ${vars.length}`);
  vars.forEach((v, i) => {
    if (saved[i].shape.join('x') !== v.shape.join('x')) {
      throw new SflError(`checkpoint ${what}: tensor ${i} is ${saved[i].shape.join('x')}, the model's is ${v.shape.join('x')}`);
    }
    tf.tidy(() => v.assign(tf.tensor(saved[i].data, saved[i].shape)));
  });
}

export function savedTensors(saved: { shape: number[]; data: Float32Array }[] | undefined): tf.Tensor[] {
  return (saved ?? []).map((s) => tf.tensor(s.data, s.shape));
}
