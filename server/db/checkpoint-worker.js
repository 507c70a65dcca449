// @ts-check
/**
 * The WAL checkpointer's thread: its own SQLite connection copies committed WAL frames into the database file
 * (PASSIVE: it never blocks the server's writer), so the fsyncs of a checkpoint happen here and not on the event loop.
 * Plain JavaScript so that a worker thread can load it under tsx, vitest or bare Node alike.
 */
import { clearTimeout, setTimeout } from 'node:timers';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

/** @type {{ path: string; busyMs: number; idleMs: number }} */
const { path, busyMs, idleMs } = workerData;

/**
 * better-sqlite3's SqliteError loses its message on the way to the main thread (only plain Errors are cloned whole).
 * @param {unknown} err
 */
function plain(err) {
  if (!(err instanceof Error)) return new Error(String(err));
  const code = /** @type {{ code?: unknown }} */ (err).code;
  return new Error(code ? `${err.message} (${code})` : err.message);
}

const db = (() => {
  try {
    const connection = new Database(path, { fileMustExist: true });
    connection.pragma('synchronous = NORMAL');
    return connection;
  } catch (err) {
    throw plain(err);
  }
})();

/** @type {NodeJS.Timeout | undefined} */
let timer;
let lastLog = 0;

function tick() {
  let log = lastLog;
  try {
    const [result] = /** @type {{ busy: number; log: number; checkpointed: number }[]} */ (
      db.pragma('wal_checkpoint(PASSIVE)')
    );
    log = result?.log ?? 0;
  } catch (err) {
    // The server's own auto-checkpoint holds the lock: try again at the next tick.
    if (!(err instanceof Database.SqliteError && err.code === 'SQLITE_BUSY')) throw plain(err);
  }
  // New frames since the last tick mean writes are flowing: come back soon. An unchanged WAL: rest.
  const writing = log !== lastLog;
  lastLog = log;
  timer = setTimeout(tick, writing ? busyMs : idleMs);
}

parentPort?.on('message', (message) => {
  if (message !== 'stop') return;
  clearTimeout(timer);
  db.close();
  parentPort?.close();
});

tick();
