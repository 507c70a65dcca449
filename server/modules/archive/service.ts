import { randomUUID } from 'node:crypto';
import { Type } from 'typebox';
import { ArchiveApiError, ArchiveError, FinanceSdkError } from '../../archive/index.js';
import type { Database, Executor } from '../../db/database.js';
import type { ExternalContactEvent, MsgauditNotifyEvent } from '../../wecom/events.js';
import { defineJob, type JobContext, type JobDefinition } from '../jobs/define.js';
import type { JobService } from '../jobs/service.js';
import { decodeCursor, encodeCursor } from '../keyset-cursor.js';
import type { NewMessage } from '../messages/normalize.js';
import { memberTest } from '../messages/normalize.js';
import type { MessageRepo } from '../messages/repo.js';
import type { StoreResult } from '../messages/store.js';
import type { Consent } from './consent.js';
import { CursorMovedError, type Puller } from './puller.js';
import type { ArchiveRepo } from './repo.js';
import type { ArchiveSources } from './sources.js';
import type { Outcome } from '../../worker/runner.js';

/** One pull job stops after this long and leaves the rest to a continuation (shutdowns stay quick). */
const PULL_BUDGET_MS = 20_000;
const PULL_ATTEMPTS = 8;
/** A live pull (someone watches a chat) is worth running only this soon. */
const LIVE_PULL_DEADLINE_MS = 5_000;

/**
 * The chat archive's work: pull jobs (on msgaudit_notify, every minute, on request), one at a time per corp across
 * instances (the lane `archive:<corp>`); what each stored batch starts (media fetches, consent checks); decrypting
 * kept items again once their key is configured.
 */
export function createArchiveService(deps: {
  db: Database;
  repo: ArchiveRepo;
  sources: ArchiveSources;
  puller: () => Puller;
  consent: () => Consent;
  messages: Pick<MessageRepo, 'memberIds'>;
  jobs: Pick<JobService, 'enqueue'>;
  mediaJob: JobDefinition<{ mediaId: number }>;
  now: () => number;
  log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
}) {
  const { db, repo } = deps;
  const lane = (corpId: string) => `archive:${corpId}`;

  /** A final SDK or WeCom error of a pull, recorded with its code where operators look (GET /api/archive/errors). */
  async function recordPullError(corpId: string, err: ArchiveError): Promise<void> {
    const { lastSeq } = await repo.cursor(db, corpId);
    await repo.addErrors(db, [
      {
        corpId,
        seq: lastSeq,
        msgid: null,
        kind: err instanceof ArchiveApiError ? 'api' : 'sdk',
        code: err instanceof FinanceSdkError ? err.code : err instanceof ArchiveApiError ? err.errcode : null,
        publickeyVer: null,
        detail: err.message,
        item: null,
        createdAt: deps.now(),
      },
    ]);
  }

  async function runPull(job: JobContext): Promise<Outcome> {
    const archive = await deps.sources.get(job.corpId);
    if (!archive) return { kind: 'ignored', reason: 'no chat archive is configured for this corp' };
    try {
      const report = await deps.puller().pull(archive, PULL_BUDGET_MS);
      if (!report.caughtUp) {
        await deps.jobs.enqueue(
          db,
          pullJob,
          { period: `more:${report.lastSeq}` },
          {
            corpId: job.corpId,
            dedupeKey: `more:${report.lastSeq}`,
          },
        );
      }
      return { kind: 'done', result: JSON.stringify(report) };
    } catch (err) {
      if (err instanceof CursorMovedError) return { kind: 'ignored', reason: err.message };
      if (err instanceof ArchiveError && (!err.retryable || job.attempts >= PULL_ATTEMPTS)) {
        await recordPullError(job.corpId, err);
        return { kind: 'failed', error: err.message };
      }
      // Retryable (network, a restarting SDK process): the runner backs off; the cursor has not moved.
      throw err;
    }
  }

  const pullJob = defineJob('archive_pull', Type.Object({ period: Type.String() }), (job) => runPull(job), {
    lane: (corpId) => lane(corpId),
    maxAttempts: PULL_ATTEMPTS,
  });

  /** Decrypts the kept items again (after a key was added); what now decrypts is stored, the rest stays kept. */
  const redecryptJob = defineJob(
    'archive_redecrypt',
    Type.Object({ reason: Type.String() }),
    async (job) => {
      const archive = await deps.sources.get(job.corpId);
      if (!archive) return { kind: 'ignored', reason: 'no chat archive is configured for this corp' };
      const isMember = memberTest(await deps.messages.memberIds(db, job.corpId));
      let after = 0;
      let decrypted = 0;
      for (;;) {
        const kept = await repo.undecrypted(db, job.corpId, after, 500);
        if (kept.length === 0) break;
        after = kept.at(-1)!.id;
        const items = kept.map((k) => k.item!).filter(Boolean);
        const results = await archive.decrypt(items);
        const ok = kept.filter((_k, i) => results[i]?.status === 'ok');
        if (ok.length === 0) continue;
        await db.tx(async (tx) => {
          await deps
            .puller()
            .storeDecrypted(
              tx,
              job.corpId,
              { items: ok.map((k) => k.item!), results: results.filter((r) => r.status === 'ok') },
              isMember,
              deps.now(),
            );
          await repo.resolveErrors(
            tx,
            ok.map((k) => k.id),
            deps.now(),
          );
        });
        decrypted += ok.length;
      }
      return { kind: 'done', result: `${decrypted} kept items decrypted` };
    },
    { lane: (corpId) => lane(corpId), maxAttempts: 5 },
  );

  return {
    pullJob,
    redecryptJob,

    /** Queues a pull (and the decryption of kept items) now; false when the archive is off. */
    async requestPull(corpId: string, reason: string): Promise<boolean> {
      if (!deps.sources.configured()) return false;
      const key = `${reason}:${randomUUID()}`;
      await deps.jobs.enqueue(db, redecryptJob, { reason }, { corpId, dedupeKey: key });
      await deps.jobs.enqueue(db, pullJob, { period: key }, { corpId, dedupeKey: key });
      return true;
    },

    /** What a stored batch starts, in its transaction: media fetches, consent (records, and checks of new pairs). */
    async followUp(ex: Executor, corpId: string, stored: StoreResult, messages: NewMessage[]) {
      for (const id of stored.media) {
        await deps.jobs.enqueue(ex, deps.mediaJob, { mediaId: id }, { corpId, dedupeKey: `media:${id}` });
      }
      const consent = deps.consent();
      for (const m of messages) {
        if (m.consent) await consent.record(ex, { corpId, ...m.consent, source: 'message' });
      }
      const pairs = messages.flatMap((m) =>
        m.conversation?.kind === 'single' && m.userId && m.externalUserId
          ? [{ userId: m.userId, externalUserId: m.externalUserId }]
          : [],
      );
      if (pairs.length > 0) await consent.notePairs(ex, corpId, pairs, `seen:${randomUUID()}`);
    },

    /**
     * A pull while someone watches a chat (the sidebar's live history): msgaudit_notify comes at most once per 15 s,
     * so an open chat would otherwise trail WeCom by that much. Keyed by the interval, so several instances watching
     * at once still pull once per interval; nothing happens when the archive is off.
     */
    async livePull(corpId: string, intervalMs: number): Promise<void> {
      if (!deps.sources.configured()) return;
      const period = `live:${Math.floor(deps.now() / intervalMs)}`;
      // With a deadline it goes before work that has none (a backlog of learning jobs after a large import must not
      // hold an open chat back); one that misses it is dropped unrun, the next interval's pull takes its place.
      const deadlineAt = deps.now() + Math.max(LIVE_PULL_DEADLINE_MS, intervalMs * 2);
      await deps.jobs.enqueue(db, pullJob, { period }, { corpId, dedupeKey: period, deadlineAt });
    },

    /** The events module's hooks. */
    hooks: {
      async afterMsgauditNotify(corpId: string, _event: MsgauditNotifyEvent, eventId: number) {
        if (!deps.sources.configured()) return;
        await deps.jobs.enqueue(
          db,
          pullJob,
          { period: `notify:${eventId}` },
          { corpId, dedupeKey: `notify:${eventId}` },
        );
      },
      async afterMsgAuditApproved(corpId: string, e: ExternalContactEvent) {
        // CreateTime counts seconds: the approval stands until the end of its second (a record of the same second
        // in the archive, in milliseconds, is not newer).
        const at = e.createTime * 1000 + 999;
        await db.tx((tx) =>
          deps.consent().record(tx, {
            corpId,
            userId: e.userId,
            externalUserId: e.externalUserId,
            status: 'agree',
            at,
            source: 'event',
          }),
        );
      },
      async afterContactAdded(tx: Executor, corpId: string, e: ExternalContactEvent, eventId: number) {
        await deps
          .consent()
          .notePairs(tx, corpId, [{ userId: e.userId, externalUserId: e.externalUserId }], `added:${eventId}`);
      },
    },

    async status(corpId: string) {
      const cursor = await repo.cursor(db, corpId);
      return {
        configured: deps.sources.configured(),
        lastSeq: cursor.lastSeq,
        messagesStored: cursor.messagesStored,
        caughtUpAt: cursor.caughtUpAt,
        unresolvedErrors: await repo.unresolvedErrorCount(db, corpId),
        pendingMedia: await repo.pendingMediaCount(db, corpId),
      };
    },

    async errors(corpId: string, q: { cursor?: string; limit?: number }) {
      const limit = q.limit ?? 20;
      const before = q.cursor ? decodeCursor(q.cursor).id : undefined;
      const rows = await repo.errors(db, corpId, before, limit + 1);
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map(({ item: _item, corpId: _corp, ...r }) => r),
        nextCursor: rows.length > limit && last ? encodeCursor({ time: last.createdAt, id: last.id }) : null,
      };
    },
  };
}
export type ArchiveService = ReturnType<typeof createArchiveService>;
