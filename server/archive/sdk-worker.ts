/**
 * Entry of the Finance SDK process, forked and supervised by sdk-supervisor.ts. It owns the native library: a
 * crash inside it ends this process only. Messages are handled one at a time, and every SDK call is synchronous,
 * so there is never more than one call in the library and DestroySdk never runs during one.
 */
import type { FromWorker, SerializedError, ToWorker } from './ipc.js';
import { ArchiveSdkSession, SessionError } from './sdk-session.js';

let session: ArchiveSdkSession | null = null;

/**
 * Ends the IPC channel (the parent sees the exit), on a later turn: messages that arrived before the listener was
 * attached are replayed by Node in a loop that breaks if the channel goes away under it.
 */
function disconnectSoon(): void {
  setImmediate(() => {
    if (process.connected) process.disconnect();
  });
}

function send(message: FromWorker): void {
  process.send?.(message);
}

function serialize(err: unknown): SerializedError {
  if (err instanceof SessionError) return err.error;
  return { kind: 'internal', message: err instanceof Error ? (err.stack ?? err.message) : String(err) };
}

function handle(message: ToWorker): void {
  switch (message.type) {
    case 'start':
      try {
        session = ArchiveSdkSession.open(message.start);
        send({ type: 'ready' });
      } catch (err) {
        send({ type: 'start_failed', error: serialize(err) });
        disconnectSoon();
      }
      return;
    case 'call': {
      const { id, call } = message;
      try {
        if (!session) throw new Error('the SDK is not started');
        const value =
          call.op === 'pull'
            ? session.pull(call.seq, call.limit)
            : call.op === 'decrypt'
              ? session.decrypt(call.items)
              : session.media(call.sdkFileId, call.indexBuf);
        send({ type: 'result', id, ok: true, value });
      } catch (err) {
        send({ type: 'result', id, ok: false, error: serialize(err) });
      }
      return;
    }
    case 'close':
      session?.close();
      session = null;
      disconnectSoon();
      return;
  }
}

process.on('message', (message) => handle(message as ToWorker));
// The server went away (crashed or killed): nothing is left to serve.
process.on('disconnect', () => {
  session?.close();
  session = null;
  process.exit(0);
});
