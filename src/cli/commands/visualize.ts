import { Option, type Command } from 'commander';
import { join } from 'node:path';
import { initBackend } from '../../compute/backend.ts';
import { FILTER_VIEWS, type FilterView } from '../../models/sae/filter-picture.ts';
import { loadTrainedRun } from '../../pipeline/trained-run.ts';
import { UNIT_ORDERS, UNIT_ORDER_TEXT, type UnitOrder } from '../../viz/patch-measures.ts';
import type { TileScale } from '../../viz/filter-atlas.ts';
import { writePng } from '../../viz/png.ts';
import { SflError } from '../../util/errors.ts';
import { runLookupOption } from '../experiment-options.ts';
import { intArg } from '../options.ts';

interface VisualizeFlags {
  out?: string;
  top?: number;
  sort: UnitOrder;
  scale: TileScale;
  view: FilterView | 'auto';
  outputs: string;
}

/** `sfl visualize`: the filter picture of a saved sparse autoencoder. */
export function registerVisualize(program: Command): void {
  program
    .command('visualize')
    .description(
      'draw what a saved sparse autoencoder learned, one tile per hidden unit. Audio units are spectro-temporal ' +
        'patches in the log-spectrum space of the input (time in ms to the right, frequency in Hz upwards) in a ' +
        'blue-white-red colour map centred on zero with a colour bar; image units (MNIST) are grey tiles, mid-grey = 0. ' +
        'Prints how to read the picture',
    )
    .argument('<run>', 'a run name (under --outputs), a run folder, or a model folder inside one: any trained run (sparse autoencoder, self-taught, conv, stacked, conv-ae, the MNIST baselines of sfl mnist)')
    .addOption(runLookupOption())
    .option('--out <file.png>', 'where to write the picture (default: <run>/filters.png)')
    .option('--top <n>', 'draw only the N strongest units (largest patch norm; default: all)', intArg('--top'))
    .addOption(
      new Option('--sort <order>', `tile order: ${UNIT_ORDERS.map((o) => `${o} = ${UNIT_ORDER_TEXT[o]}`).join('; ')}`)
        .choices([...UNIT_ORDERS])
        .default('frequency'),
    )
    .addOption(new Option('--scale <how>', 'shared = one colour scale for every tile (a weak unit looks pale); tile = each tile by its own largest |value|').choices(['shared', 'tile']).default('shared'))
    .addOption(
      new Option('--view <which>', "audio: atoms = decoder atoms (what a unit adds to the spectrum), filters = de-whitened encoder weights, auto = the smoother of the two")
        .choices([...FILTER_VIEWS])
        .default('auto'),
    )
    .action(async (target: string, flags: VisualizeFlags) => {
      if (flags.top !== undefined && flags.top < 1) throw new SflError(`--top must be at least 1 (got ${flags.top})`);
      await initBackend();
      const run = await loadTrainedRun(target, flags.outputs);
      const out = flags.out ?? join(run.dir, 'filters.png');
      // Sparse-autoencoder pictures take the drawing options; stacked and conv-ae first layers are drawn as tiles.
      const pic = run.filters({ top: flags.top ?? null, sort: flags.sort, scale: flags.scale, view: flags.view });
      await writePng(out, pic.image);
      console.log(`${out}: ${pic.image.width} x ${pic.image.height} pixels`);
      console.log(pic.caption);
    });
}
