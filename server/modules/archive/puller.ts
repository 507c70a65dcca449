import type { ChatDataItem, DecryptResult } from '../../archive/index.js';
import type { Database, Executor } from '../../db/database.js';
import type { NewArchiveError, ArchiveRepo } from './repo.js';
import type { CorpArchive } from './sources.js';
import { fromArchive, memberTest, type MemberTest, type NewMessage } from '../messages/normalize.js';
import type { MessageRepo } from '../messages/repo.js';
import type { MessageStore, StoreResult } from '../messages/store.js';

/** Another puller stored this batch first (a takeover after a lost lease): roll back, nothing is lost. */
export class CursorMovedError extends Error {
  constructor(corpId: string) {
    super(`the archive cursor of ${corpId} moved during the pull: another instance stored this batch`);
    this.name = 'CursorMovedError';
  }
}

export interface PullReport {
  batches: number;
  pulled: number;
  stored: number;
  duplicates: number;
  errors: number;
  lastSeq: number;
  /** The archive had nothing more (false: stopped for time, a continuation is due). */
  caughtUp: boolean;
}

interface Fetched {
  items: ChatDataItem[];
  results: DecryptResult[];
}

/** What a stored batch asks of its caller, in the same transaction (media and consent jobs). */
export interface BatchFollowUp {
  (ex: Executor, corpId: string, stored: StoreResult, messages: NewMessage[]): Promise<void>;
}

/**
 * Pulls a corp's archive from its cursor to the end: batches of `batchSize` (≤ 1000) pulled and decrypted while the
 * previous batch is stored, each batch stored with the new cursor in one transaction (so a crash anywhere leaves
 * either the whole batch and its cursor or neither: no gap, no duplicate). Items that do not decrypt are recorded
 * with their reason and code (the encrypted item kept when a key may decrypt it later), never dropped, and the
 * cursor moves past them. The caller serialises pulls per corp (a job lane).
 */
export function createPuller(deps: {
  db: Database;
  repo: ArchiveRepo;
  messages: Pick<MessageRepo, 'memberIds'>;
  store: Pick<MessageStore, 'storeBatch'>;
  batchSize: number;
  followUp: BatchFollowUp;
  now: () => number;
}) {
  const { db, repo } = deps;

  async function fetch(archive: CorpArchive, afterSeq: number): Promise<Fetched> {
    const items = await archive.pull(afterSeq, deps.batchSize);
    if (items.length === 0) return { items, results: [] };
    return { items, results: await archive.decrypt(items) };
  }

  /** Messages and errors of a decrypted batch. */
  function sort(corpId: string, batch: Fetched, isMember: MemberTest, at: number) {
    const messages: NewMessage[] = [];
    const errors: NewArchiveError[] = [];
    batch.items.forEach((item, i) => {
      const r = batch.results[i]!;
      const kept = {
        seq: item.seq,
        msgid: item.msgid,
        publickey_ver: item.publickey_ver,
        encrypt_random_key: item.encrypt_random_key,
        encrypt_chat_msg: item.encrypt_chat_msg,
      };
      if (r.status === 'ok') messages.push(fromArchive(r.message, item.seq, isMember));
      else if (r.status === 'undecryptable')
        errors.push({
          corpId,
          seq: item.seq,
          msgid: item.msgid,
          kind: r.reason,
          code: r.reason === 'no_key' ? 10007 : null,
          publickeyVer: r.publickeyVer,
          detail: r.detail,
          item: kept,
          createdAt: at,
        });
      else
        errors.push({
          corpId,
          seq: item.seq,
          msgid: item.msgid,
          kind: 'corrupted',
          code: r.sdkCode ?? null,
          publickeyVer: item.publickey_ver,
          detail: r.detail,
          item: kept,
          createdAt: at,
        });
    });
    return { messages, errors };
  }

  /** Stores decrypted items (a pulled batch, or items decrypted later) and their follow-up work, in `tx`. */
  async function storeDecrypted(tx: Executor, corpId: string, batch: Fetched, isMember: MemberTest, at: number) {
    const { messages, errors } = sort(corpId, batch, isMember, at);
    const stored = await deps.store.storeBatch(tx, corpId, messages);
    await repo.addErrors(tx, errors);
    await deps.followUp(tx, corpId, stored, messages);
    return { stored, errors: errors.length };
  }

  return {
    storeDecrypted,

    /**
     * Pulls until the archive is exhausted or `budgetMs` has passed (then `caughtUp` is false and the caller
     * schedules the rest). Errors of the SDK (retryable or not) propagate: nothing of the failed batch is stored.
     */
    async pull(archive: CorpArchive, budgetMs: number): Promise<PullReport> {
      const corpId = archive.corpId;
      const started = deps.now();
      const isMember = memberTest(await deps.messages.memberIds(db, corpId));
      let cursor = (await repo.cursor(db, corpId)).lastSeq;
      const report: PullReport = {
        batches: 0,
        pulled: 0,
        stored: 0,
        duplicates: 0,
        errors: 0,
        lastSeq: cursor,
        caughtUp: false,
      };
      let next: Promise<Fetched> | null = fetch(archive, cursor);
      while (next) {
        const batch: Fetched = await next;
        next = null;
        if (batch.items.length === 0) {
          await repo.markCaughtUp(db, corpId, deps.now());
          report.caughtUp = true;
          break;
        }
        const lastSeq = batch.items.reduce((max, item) => Math.max(max, item.seq), cursor);
        const more = batch.items.length >= deps.batchSize && deps.now() - started < budgetMs;
        // The next batch is pulled and decrypted (in the SDK processes) while this one is stored.
        if (more) {
          next = fetch(archive, lastSeq);
          next.catch(() => {});
        }
        const from = cursor;
        const result = await db.tx(async (tx) => {
          const at = deps.now();
          const done = await storeDecrypted(tx, corpId, batch, isMember, at);
          const caughtUp = batch.items.length < deps.batchSize;
          if (!(await repo.advance(tx, corpId, from, lastSeq, done.stored.stored, at, caughtUp)))
            throw new CursorMovedError(corpId);
          return done;
        });
        cursor = lastSeq;
        report.batches += 1;
        report.pulled += batch.items.length;
        report.stored += result.stored.stored + result.stored.reconciled;
        report.duplicates += result.stored.duplicates;
        report.errors += result.errors;
        report.lastSeq = cursor;
        if (batch.items.length < deps.batchSize) report.caughtUp = true;
      }
      return report;
    },
  };
}
export type Puller = ReturnType<typeof createPuller>;
