/**
 * Writes the synthetic sound folder (src/data/synthetic-sounds.ts): tones, rising and falling
 * sweeps, click trains, one sub-folder per class.
 *   npx tsx scripts/make-synthetic-sounds.ts <dir> [recordings per class]
 */
import { SYNTHETIC_DEFAULTS, writeSyntheticFolder } from '../src/data/synthetic-sounds.ts';

const [dir, perClass] = process.argv.slice(2);
if (!dir) {
  console.error('usage: npx tsx scripts/make-synthetic-sounds.ts <dir> [recordings per class]');
  process.exit(1);
}
const paths = writeSyntheticFolder(dir, { perClass: perClass ? Number(perClass) : SYNTHETIC_DEFAULTS.perClass });
console.log(`${dir}: ${paths.length} recordings (tones at ${SYNTHETIC_DEFAULTS.tones.join(', ')} Hz, sweeps ${SYNTHETIC_DEFAULTS.sweepHz.join(' <-> ')} Hz, clicks)`);
