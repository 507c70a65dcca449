import type { Database } from '../../db/database.js';
import type { MessageRepo } from './repo.js';

type Listener = (version: number) => void;

/**
 * Tells open chat streams that their conversation changed. Two paths, so it works with any number of instances on
 * one database and needs nothing but the database:
 * - this instance stored the change: the store publishes after commit, and listeners hear at once;
 * - another instance stored it: while any stream is open, this instance reads the versions of the watched
 *   conversations every `pollMs` (one indexed query for all of them) and wakes the streams whose version moved.
 * (PostgreSQL's LISTEN/NOTIFY would save the poll but needs a connection held outside the data layer, and SQLite
 * has nothing like it; at 500 ms a poll is one cheap query and keeps the 2-second promise on both.)
 */
export function createLiveHub(deps: {
  db: Database;
  repo: Pick<MessageRepo, 'versions'>;
  pollMs: number;
  log: { warn(obj: object, msg: string): void };
}) {
  const listeners = new Map<number, Set<Listener>>();
  const known = new Map<number, number>();
  let timer: NodeJS.Timeout | null = null;
  let polling = false;
  let closed = false;

  function notify(conversationId: number, version: number): void {
    if (!listeners.has(conversationId) || (known.get(conversationId) ?? -1) >= version) return;
    known.set(conversationId, version);
    for (const listener of listeners.get(conversationId) ?? []) listener(version);
  }

  async function poll(): Promise<void> {
    if (polling || listeners.size === 0) return;
    polling = true;
    try {
      const versions = await deps.repo.versions(deps.db, [...listeners.keys()]);
      for (const [id, version] of versions) notify(id, version);
    } catch (err) {
      deps.log.warn({ err }, 'live messages: could not read conversation versions');
    } finally {
      polling = false;
    }
  }

  function schedule(): void {
    if (timer || closed || listeners.size === 0) return;
    timer = setInterval(() => void poll(), deps.pollMs);
    timer.unref();
  }

  return {
    /** A change this instance committed. */
    publish: notify,

    /** Calls `listener` with each newer version of the conversation until the returned function is called. */
    watch(conversationId: number, listener: Listener): () => void {
      let set = listeners.get(conversationId);
      if (!set) listeners.set(conversationId, (set = new Set()));
      set.add(listener);
      schedule();
      return () => {
        set.delete(listener);
        if (set.size === 0) {
          listeners.delete(conversationId);
          known.delete(conversationId);
        }
        if (listeners.size === 0 && timer) {
          clearInterval(timer);
          timer = null;
        }
      };
    },

    watching(): number {
      return [...listeners.values()].reduce((n, s) => n + s.size, 0);
    },

    close(): void {
      closed = true;
      if (timer) clearInterval(timer);
      timer = null;
      listeners.clear();
    },
  };
}
export type LiveHub = ReturnType<typeof createLiveHub>;
