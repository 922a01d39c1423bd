/**
 * Jobs over items 0..count-1 taken in order, each started a few items before it is taken: work
 * that mostly waits (file-system round trips: hashing a file, opening a cache entry) then
 * overlaps the work on the items before it, instead of the main thread idling on each wait in
 * turn. At most `ahead` jobs run beyond the one being taken, so what they hold stays bounded.
 */
export class ReadAhead<T> {
  private readonly started = new Map<number, Promise<T>>();

  constructor(
    private readonly count: number,
    private readonly start: (i: number) => Promise<T>,
    private readonly ahead: number,
  ) {}

  /** Job i's result (it throws what the job threw); starts jobs i+1..i+ahead. Take each i once, in increasing order. */
  take(i: number): Promise<T> {
    for (let j = i; j < Math.min(this.count, i + this.ahead + 1); j++) {
      if (this.started.has(j)) continue;
      const p = this.start(j);
      // Awaited when taken; until then a failure must not count as unhandled.
      p.catch(() => undefined);
      this.started.set(j, p);
    }
    const p = this.started.get(i)!;
    this.started.delete(i);
    return p;
  }

  /** Waits for the jobs started and not taken (a consumer that stopped early) and lets `release` free what they hold. */
  async dispose(release: (result: T) => Promise<void>): Promise<void> {
    const left = [...this.started.values()];
    this.started.clear();
    for (const p of left) {
      let result: T;
      try {
        result = await p;
      } catch {
        continue;
      }
      await release(result).catch(() => undefined);
    }
  }
}
