import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';

/** While writes flow: a checkpoint every 20 ms keeps each one small and the WAL's dirty pages few. */
const BUSY_INTERVAL_MS = 20;
/** While nothing is written, a look twice a second costs nothing. */
const IDLE_INTERVAL_MS = 500;

export interface Checkpointer {
  /** Ends the thread after its current checkpoint and closes its connection. */
  stop(): Promise<void>;
}

/**
 * Runs WAL checkpoints of a SQLite file on a worker thread. The server's connection keeps its auto-checkpoint (see
 * open.ts) as the bound on the WAL's size, but finds the frames already copied and synced, so the event loop does not
 * wait for a checkpoint's fsyncs. `onError` hears the thread dying; the auto-checkpoint then carries on alone.
 */
export function startCheckpointer(databasePath: string, onError: (err: Error) => void): Checkpointer {
  const worker = new Worker(new URL('./checkpoint-worker.js', import.meta.url), {
    workerData: { path: resolve(databasePath), busyMs: BUSY_INTERVAL_MS, idleMs: IDLE_INTERVAL_MS },
  });
  // A thread that is not the process's reason to live: shutdown stops it, a crash must not wait for it.
  worker.unref();
  worker.on('error', onError);
  let running = true;
  const exited = new Promise<void>((done) =>
    worker.once('exit', () => {
      running = false;
      done();
    }),
  );
  return {
    async stop() {
      if (running) worker.postMessage('stop');
      await exited;
    },
  };
}
