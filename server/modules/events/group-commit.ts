/**
 * Group commit: inserts requested during the same turn of the event loop are written in one statement, and each
 * caller's promise settles only after that write is committed (and durable, if `writeMany` waits for it). Under a
 * burst of callbacks this turns N commits into one; with a single request it costs one `setImmediate`. Batches run
 * one after another, so a second batch gathers while the first is being synced.
 */
export function groupCommit<Row, Result>(
  writeMany: (rows: Row[]) => Promise<Result[]>,
  maxBatch = 1000,
): (row: Row) => Promise<Result> {
  let pending: { row: Row; resolve: (r: Result) => void; reject: (e: unknown) => void }[] = [];
  // Scheduled or writing: rows arriving meanwhile wait for the loop below, so batches never overlap.
  let busy = false;

  async function flush(): Promise<void> {
    while (pending.length > 0) {
      const batch = pending.slice(0, maxBatch);
      pending = pending.slice(batch.length);
      try {
        const results = await writeMany(batch.map((p) => p.row));
        batch.forEach((p, i) => p.resolve(results[i]!));
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
    busy = false;
  }

  return (row) =>
    new Promise<Result>((resolve, reject) => {
      pending.push({ row, resolve, reject });
      if (!busy) {
        busy = true;
        setImmediate(() => void flush());
      }
    });
}
