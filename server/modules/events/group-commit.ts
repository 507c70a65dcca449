/**
 * Group commit: inserts requested during the same turn of the event loop are written in one SQLite
 * transaction, and each caller's promise settles only after that commit. Under a burst of callbacks this
 * turns N commits into one; with a single request it costs one `setImmediate`.
 */
export function groupCommit<Row, Result>(writeMany: (rows: Row[]) => Result[]): (row: Row) => Promise<Result> {
  let pending: { row: Row; resolve: (r: Result) => void; reject: (e: unknown) => void }[] = [];
  let scheduled = false;

  function flush(): void {
    scheduled = false;
    const batch = pending;
    pending = [];
    try {
      const results = writeMany(batch.map((p) => p.row));
      batch.forEach((p, i) => p.resolve(results[i]!));
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }

  return (row) =>
    new Promise<Result>((resolve, reject) => {
      pending.push({ row, resolve, reject });
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });
}
