import { Type, type Static } from 'typebox';
import type { Database } from '../../db/database.js';
import type { WecomApi } from '../../wecom/api.js';
import type { Outcome } from '../../worker/runner.js';
import type { CustomerRepo } from '../customers/repo.js';
import { recordTagChange } from '../customers/tag-change.js';
import { defineJob } from '../jobs/define.js';
import type { JobService } from '../jobs/service.js';
import type { TimelineRepo } from '../timeline/repo.js';
import type { ConsoleCustomerRepo } from './repo.js';

export const BULK_TAG_JOB_KIND = 'console_mark_tag';
export const BULK_TAG_CHUNK_KIND = 'console_bulk_tag_chunk';
/** Relationships per chunk job: the request writes one job per chunk, the worker one job per relationship. */
export const BULK_TAG_CHUNK = 200;

export const BulkTagPayload = Type.Object({
  batchId: Type.Integer(),
  userId: Type.String(),
  externalUserId: Type.String(),
  add: Type.Array(Type.String()),
  remove: Type.Array(Type.String()),
});
export type BulkTagPayload = Static<typeof BulkTagPayload>;

/** Every job of a batch starts with this; the batch's progress is counted over it (repo.batchProgress). */
export const bulkTagKeyPrefix = (batchId: number) => `batch:${batchId}:`;

/** The chunk jobs of a batch, numbered from 0; chunk i holds relationships i × BULK_TAG_CHUNK onwards. */
export const bulkTagChunkKey = (batchId: number, index: number) => `${bulkTagKeyPrefix(batchId)}chunk:${index}`;
export const chunkIndexOf = (dedupeKey: string) => Number(dedupeKey.slice(dedupeKey.lastIndexOf(':') + 1));
export const chunkSize = (total: number, index: number) =>
  Math.max(0, Math.min(BULK_TAG_CHUNK, total - index * BULK_TAG_CHUNK));

/** One job per batch and relationship: enqueueing a relationship twice is one job. */
export const bulkTagKey = (batchId: number, userId: string, externalUserId: string) =>
  `${bulkTagKeyPrefix(batchId)}${encodeURIComponent(userId)}:${encodeURIComponent(externalUserId)}`;

/**
 * The `console_mark_tag` job of a bulk tagging batch: adds and removes corp tags on one relationship with WeCom's
 * mark_tag, then mirrors the change in `follow_tags` and on the customer's timeline as the sidebar's tag change
 * does (API changes fire no callback). mark_tag is sent at most once per outcome: after an attempt whose outcome is
 * unknown, the follow's tags are read from WeCom first. Transient WeCom errors are thrown for the worker's retry
 * policy (backoff, bounded attempts); final ones (no such relationship, tag gone …) fail the job with WeCom's error.
 */
export function createBulkTagJob(deps: {
  db: Database;
  repo: Pick<ConsoleCustomerRepo, 'tagRefs'>;
  followTags: Pick<CustomerRepo, 'addFollowTags' | 'removeFollowTags'>;
  api: (corpId: string) => Pick<WecomApi, 'markTag' | 'getExternalContact'>;
  timeline: Pick<TimelineRepo, 'add'>;
  now: () => number;
}) {
  const { db } = deps;

  /** Whether WeCom already shows the change on the follow (the previous attempt went through). */
  async function alreadyApplied(corpId: string, p: BulkTagPayload, add: string[], remove: string[]) {
    const { follow_user: follows } = await deps.api(corpId).getExternalContact(p.externalUserId);
    const follow = follows.find((f) => f.userid === p.userId);
    if (!follow) return null;
    const present = new Set((follow.tags ?? []).map((t) => t.tag_id).filter((id): id is string => Boolean(id)));
    return add.every((id) => present.has(id)) && remove.every((id) => !present.has(id));
  }

  return defineJob(
    BULK_TAG_JOB_KIND,
    BulkTagPayload,
    async (job, p): Promise<Outcome> => {
      const corpId = job.corpId;
      // Tags deleted in WeCom since the batch was made are left out (WeCom would refuse the whole call for them).
      const known = await deps.repo.tagRefs(db, corpId, [...p.add, ...p.remove]);
      const live = (ids: string[]) => ids.filter((id) => known.get(id)?.deleted === false);
      const add = live(p.add);
      const remove = live(p.remove);
      if (add.length === 0 && remove.length === 0) {
        return { kind: 'failed', error: 'every tag of the batch was deleted in WeCom' };
      }

      const applied = job.attempts > 1 ? await alreadyApplied(corpId, p, add, remove) : false;
      if (applied === null) return { kind: 'failed', error: 'the rep no longer follows the customer in WeCom' };
      if (!applied) {
        await deps.api(corpId).markTag({
          userid: p.userId,
          external_userid: p.externalUserId,
          ...(add.length > 0 ? { add_tag: add } : {}),
          ...(remove.length > 0 ? { remove_tag: remove } : {}),
        });
      }

      const { added, removed } = await db.tx(
        (tx) =>
          recordTagChange(
            tx,
            { repo: deps.followTags, timeline: deps.timeline },
            {
              corpId,
              userId: p.userId,
              externalUserId: p.externalUserId,
              add,
              remove,
              nameOf: (tagId) => known.get(tagId)?.name ?? tagId,
              at: deps.now(),
              note: '（批量打标签）',
              payload: { source: 'bulk_tag', batchId: p.batchId },
              sourceKey: (kind) => `${bulkTagKey(p.batchId, p.userId, p.externalUserId)}:${kind}`,
            },
          ),
        { isolation: 'read committed' },
      );
      return { kind: 'done', result: `added ${added.length}, removed ${removed.length}` };
    },
    { maxAttempts: 5 },
  );
}
export type BulkTagJob = ReturnType<typeof createBulkTagJob>;

export const BulkTagChunkPayload = Type.Object({
  batchId: Type.Integer(),
  add: Type.Array(Type.String()),
  remove: Type.Array(Type.String()),
  follows: Type.Array(Type.Object({ userId: Type.String(), externalUserId: Type.String() })),
});
export type BulkTagChunkPayload = Static<typeof BulkTagChunkPayload>;

/**
 * The `console_bulk_tag_chunk` job: enqueues the `console_mark_tag` jobs of up to BULK_TAG_CHUNK relationships in
 * one transaction. The request that makes a batch writes only these (a 10,000 relationship batch is 50 rows, not a
 * transaction of 10,000 inserts holding SQLite's only connection); a rerun enqueues nothing twice (dedupe keys).
 */
export function createBulkTagChunkJob(deps: { db: Database; jobs: Pick<JobService, 'enqueue'>; markJob: BulkTagJob }) {
  return defineJob(
    BULK_TAG_CHUNK_KIND,
    BulkTagChunkPayload,
    async (job, p): Promise<Outcome> => {
      const added = await deps.db.tx(async (tx) => {
        let n = 0;
        for (const f of p.follows) {
          const id = await deps.jobs.enqueue(
            tx,
            deps.markJob,
            { batchId: p.batchId, userId: f.userId, externalUserId: f.externalUserId, add: p.add, remove: p.remove },
            { corpId: job.corpId, dedupeKey: bulkTagKey(p.batchId, f.userId, f.externalUserId) },
          );
          if (id !== null) n++;
        }
        return n;
      });
      return { kind: 'done', result: `enqueued ${added} of ${p.follows.length}` };
    },
    { maxAttempts: 20 },
  );
}
export type BulkTagChunkJob = ReturnType<typeof createBulkTagChunkJob>;
