import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { initBackend } from '../../compute/backend.ts';
import { loadSaeModel } from '../../models/sae/saved-model.ts';
import { filterPicture } from '../../models/sae/train.ts';
import { writePng } from '../../viz/png.ts';

/** A run folder or its model/ folder -> the folder holding model.json. */
export function modelDir(target: string): string {
  return existsSync(join(target, 'model', 'model.json')) ? join(target, 'model') : target;
}

/** `sfl visualize`: the filter picture of a saved sparse autoencoder. */
export function registerVisualize(program: Command): void {
  program
    .command('visualize')
    .description(
      'draw the learned filters of a saved sparse autoencoder as a PNG grid, one tile per hidden unit, each scaled ' +
        'symmetrically around zero (mid-grey = 0). Audio filters are K frames wide (time left to right) and ' +
        'bands tall (low frequency at the bottom); whitened models are drawn back in the input space',
    )
    .argument('<model>', 'a run folder (outputs/<run>) or its model/ folder')
    .option('--out <file.png>', 'where to write the picture (default: <run>/filters.png)')
    .action(async (target: string, opts: { out?: string }) => {
      await initBackend();
      const dir = modelDir(target);
      const model = await loadSaeModel(dir);
      const out = opts.out ?? join(dir === target ? resolve(dir, '..') : target, 'filters.png');
      await writePng(out, filterPicture(model));
      console.log(`${out}: ${model.hyper.hidden} filters of ${model.input.kind === 'image' ? `${model.input.width}x${model.input.height} pixels` : `${model.input.frames} frames x ${model.input.bands} ${model.input.spectrum.transform} bands`}`);
    });
}
