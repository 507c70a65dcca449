/**
 * Counts occurrences per second over a short sliding window (two 500 ms buckets). The worker uses the callback
 * rate to give way to ingestion during a storm: acknowledging WeCom within its 5 s (it retries otherwise) matters
 * more than processing what is already safe in the inbox.
 */
export function createRateMeter(now: () => number = Date.now, bucketMs = 500) {
  let bucketStart = 0;
  let current = 0;
  let previous = 0;

  function roll(at: number): void {
    const elapsed = at - bucketStart;
    if (elapsed < bucketMs) return;
    previous = elapsed < 2 * bucketMs ? current : 0;
    current = 0;
    bucketStart = at - (elapsed % bucketMs);
  }

  return {
    mark(): void {
      roll(now());
      current++;
    },
    /** Events per second over the last one to two buckets. */
    perSecond(): number {
      const at = now();
      roll(at);
      const span = bucketMs + (at - bucketStart);
      return ((previous + current) * 1000) / span;
    },
  };
}
