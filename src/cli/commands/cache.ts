import type { Command } from 'commander';
import { defaultCacheDir } from '../../data/spectra-cache.ts';
import { cacheMaxBytes, cacheUsage, clearCache, evictLeastRecentlyUsed, parseSize } from '../../data/cache-eviction.ts';
import { formatBytes } from '../../util/memory.ts';

const WHAT =
  'the spectra cache keeps each recording\'s spectrogram (keyed by the file\'s content and the spectrum settings) so that ' +
  'a second run over the same files skips decoding and the transform';

/** `sfl cache`: where the spectra cache is, how big, and ways to shrink or empty it. */
export function registerCache(program: Command): void {
  const cache = program
    .command('cache')
    .description(
      `${WHAT}. Without a subcommand: its folder, size and cap. Folder: $SFL_CACHE_DIR, else $XDG_CACHE_HOME/sfl/spectra, ` +
        'else ~/.cache/sfl/spectra; cap: $SFL_CACHE_MAX (e.g. 500MB; 0 turns the cache off), default 2 GB, least recently used entries deleted first. ' +
        'Entries are written and read a block of frames at a time (a long recording is cached without being held in memory); ' +
        'a recording whose spectrogram would take more than half of the cap is not cached',
    )
    .option('--json', 'print the figures as one JSON object on stdout')
    .action((flags: { json?: boolean }) => {
      const dir = defaultCacheDir();
      const usage = cacheUsage(dir);
      const maxBytes = cacheMaxBytes();
      if (flags.json) {
        console.log(JSON.stringify({ dir, ...usage, maxBytes }, null, 2));
        return;
      }
      console.log(`spectra cache: ${dir}`);
      console.log(`${usage.entries} entr${usage.entries === 1 ? 'y' : 'ies'}, ${formatBytes(usage.bytes)} of at most ${maxBytes > 0 ? formatBytes(maxBytes) : '0 (cache off)'}`);
    });
  cache
    .command('clear')
    .description('delete every entry of the spectra cache (they are recomputed when next needed)')
    .action(() => {
      const dir = defaultCacheDir();
      const removed = clearCache(dir);
      console.log(`removed ${removed.entries} entr${removed.entries === 1 ? 'y' : 'ies'} (${formatBytes(removed.bytes)}) from ${dir}`);
    });
  cache
    .command('trim')
    .description('delete the least recently used entries until the cache holds at most --max')
    .requiredOption('--max <size>', 'the size to trim to, e.g. 500MB or 1GB', (v) => parseSize(v, '--max'))
    .action((flags: { max: number }) => {
      const dir = defaultCacheDir();
      const { removed, left } = evictLeastRecentlyUsed(dir, flags.max);
      console.log(`removed ${removed.entries} least recently used entr${removed.entries === 1 ? 'y' : 'ies'} (${formatBytes(removed.bytes)}); ${formatBytes(left.bytes)} left in ${dir}`);
    });
}
