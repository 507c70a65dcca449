import type { BulkTagBatch, BulkTagBody, FollowRef, TagRef } from '../../../shared/schemas/console-customers.js';
import type { Database } from '../../db/database.js';
import { BadRequestError, ForbiddenError, NotFoundError } from '../../errors.js';
import type { AuditService } from '../audit/service.js';
import { actorFields } from '../audit/service.js';
import type { AuditContext, ConsoleActor, Scope } from '../console-auth/actor.js';
import { inScope, mainDepartment } from '../console-auth/actor.js';
import type { AccountsService } from '../console-auth/accounts-service.js';
import type { JobService } from '../jobs/service.js';
import {
  BULK_TAG_CHUNK,
  BULK_TAG_CHUNK_KIND,
  BULK_TAG_JOB_KIND,
  bulkTagChunkKey,
  bulkTagKeyPrefix,
  chunkIndexOf,
  chunkSize,
  type BulkTagChunkJob,
} from './bulk-tag-job.js';
import type { ConsoleCustomerRepo, FollowKey, TagBatchRow } from './repo.js';
import type { ConsoleCustomerService } from './service.js';

/** The most relationships one batch may change (the console says so when a filter matches more). */
export const BULK_TAG_MAX = 10_000;

const keyOf = (f: FollowKey) => `${f.userId}\u0000${f.externalUserId}`;
/** Up to five of a list in a message, and how many more. */
const some = (items: string[]) =>
  items.length <= 5 ? items.join('、') : `${items.slice(0, 5).join('、')} 等 ${items.length} 个`;
const refText = (f: FollowKey) => `${f.userId}/${f.externalUserId}`;

/**
 * Bulk tagging in the console: corp tags added to and removed from many relationships (rep × customer) at once,
 * through WeCom's mark_tag, one durable job per relationship (bulk-tag-job.ts; the request writes them in chunk jobs
 * of 200). Admins may tag every relationship, a manager those of the reps of their departments (sub-departments
 * included); the request is checked whole before anything is written — a refused request writes nothing, calls
 * nothing.
 */
export function createBulkTagService(deps: {
  db: Database;
  repo: Pick<
    ConsoleCustomerRepo,
    | 'followKeys'
    | 'countFollows'
    | 'followStatuses'
    | 'tagRefs'
    | 'insertBatch'
    | 'batch'
    | 'batchProgress'
    | 'settleBatch'
  >;
  customers: Pick<ConsoleCustomerService, 'followFilter'>;
  accounts: Pick<AccountsService, 'directory'>;
  jobs: Pick<JobService, 'enqueue'>;
  chunkJob: BulkTagChunkJob;
  audit: Pick<AuditService, 'record'>;
  now: () => number;
}) {
  const { db, repo } = deps;

  /** The selected relationships: each in scope (403 otherwise), existing and active (400 otherwise). */
  async function targetsOf(actor: ConsoleActor, scope: Scope, targets: FollowRef[]): Promise<FollowKey[]> {
    const keys = [
      ...new Map(targets.map((t) => [keyOf(t), { userId: t.userId, externalUserId: t.externalUserId }])).values(),
    ];
    if (!scope.all) {
      const { reps } = await deps.accounts.directory(actor.corpId);
      const byId = new Map(reps.map((r) => [r.userId, r]));
      const outside = [
        ...new Set(
          keys
            .filter((k) => {
              const rep = byId.get(k.userId);
              return !rep || !inScope(scope, mainDepartment(rep.departmentIds));
            })
            .map((k) => k.userId),
        ),
      ];
      if (outside.length > 0) {
        throw new ForbiddenError(`所选客户中有不在您负责部门的员工的跟进关系（员工：${some(outside)}）`);
      }
    }
    const statuses = await repo.followStatuses(db, actor.corpId, keys);
    const missing = keys.filter((k) => !statuses.has(keyOf(k)));
    if (missing.length > 0) throw new BadRequestError(`跟进关系不存在：${some(missing.map(refText))}`, 'targets');
    const lost = keys.filter((k) => statuses.get(keyOf(k)) === 'lost');
    if (lost.length > 0) {
      throw new BadRequestError(`客户已流失，不能打标签：${some(lost.map(refText))}`, 'targets');
    }
    return keys;
  }

  /** Every active relationship the list's filter matches in the caller's scope (the filter's own checks apply). */
  async function matchesOf(actor: ConsoleActor, scope: Scope, filter: NonNullable<BulkTagBody['filter']>) {
    if (filter.status === 'lost') throw new BadRequestError('已流失的客户不能打标签', 'filter.status');
    const f = { ...(await deps.customers.followFilter(actor, scope, filter)), status: 'active' as const };
    const count = await repo.countFollows(db, actor.corpId, f);
    if (count === 0) throw new BadRequestError('没有符合筛选条件的跟进中客户', 'filter');
    if (count > BULK_TAG_MAX) {
      throw new BadRequestError(
        `符合筛选条件的跟进关系共 ${count} 个，超过单次批量打标签的上限 ${BULK_TAG_MAX.toLocaleString('en-US')} 个，请缩小筛选范围`,
        'filter',
      );
    }
    return repo.followKeys(db, actor.corpId, f, BULK_TAG_MAX);
  }

  const refs = (ids: string[], known: Map<string, TagRef>): TagRef[] =>
    ids.map((tagId) => {
      const t = known.get(tagId);
      return { tagId, name: t?.name ?? tagId, groupName: t?.groupName ?? '' };
    });

  async function view(batch: TagBatchRow): Promise<BulkTagBatch> {
    let { done, failed } = batch;
    let pending = 0;
    if (batch.finishedAt === null) {
      const progress = await repo.batchProgress(
        db,
        batch.corpId,
        bulkTagKeyPrefix(batch.id),
        BULK_TAG_JOB_KIND,
        BULK_TAG_CHUNK_KIND,
      );
      // Relationships of chunks not expanded yet are pending (those of a chunk that failed for good, failed); a chunk
      // that is still settling after its jobs were enqueued is counted once, through the jobs it enqueued.
      let chunkPending = 0;
      let chunkFailed = 0;
      for (const c of progress.openChunks) {
        const size = chunkSize(batch.total, chunkIndexOf(c.dedupeKey));
        if (c.failed) chunkFailed += size;
        else chunkPending += size;
      }
      chunkPending = Math.max(0, Math.min(chunkPending, batch.total - progress.enqueued - chunkFailed));
      pending = progress.pending + chunkPending;
      failed = progress.failed + chunkFailed;
      // Done jobs may be pruned by the retention job later; failed and unfinished ones are kept.
      done = Math.max(0, batch.total - pending - failed);
      if (pending === 0) {
        await repo.settleBatch(db, batch.corpId, batch.id, {
          done,
          failed,
          finishedAt: progress.finishedAt ?? deps.now(),
        });
      }
    }
    const known = await repo.tagRefs(db, batch.corpId, [...batch.add, ...batch.remove]);
    return {
      batchId: batch.id,
      total: batch.total,
      done,
      failed,
      pending,
      add: refs(batch.add, known),
      remove: refs(batch.remove, known),
      createdAt: batch.createdAt,
      createdBy: batch.actorName,
    };
  }

  return {
    /** Checks the whole request, then records the batch, its jobs and the audit entry in one transaction. */
    async create(ctx: AuditContext, scope: Scope, body: BulkTagBody): Promise<BulkTagBatch> {
      const { actor } = ctx;
      const corpId = actor.corpId;
      if ((body.targets === undefined) === (body.filter === undefined)) {
        throw new BadRequestError('请选择要打标签的客户，或按筛选条件打标签（二者选其一）', 'targets');
      }
      const add = body.add ?? [];
      const remove = body.remove ?? [];
      if (add.length === 0 && remove.length === 0) throw new BadRequestError('请选择要添加或移除的标签', 'add');
      const known = await repo.tagRefs(db, corpId, [...add, ...remove]);
      const both = add.filter((id) => remove.includes(id));
      if (both.length > 0) {
        const names = both.map((id) => (known.get(id) ? `「${known.get(id)!.name}」` : id));
        throw new BadRequestError(`同一个标签不能同时添加和移除：${some(names)}`, 'remove');
      }
      const unknown = [...add, ...remove].filter((id) => known.get(id)?.deleted !== false);
      if (unknown.length > 0) {
        throw new BadRequestError(`标签不存在或已删除：${some(unknown)}`, add.includes(unknown[0]!) ? 'add' : 'remove');
      }

      const follows = body.targets
        ? await targetsOf(actor, scope, body.targets)
        : await matchesOf(actor, scope, body.filter!);
      const reps = [...new Set(follows.map((f) => f.userId))];
      const createdAt = deps.now();
      const names = (ids: string[]) => ids.map((id) => known.get(id)!.name).join('、');
      const changes = [add.length > 0 ? `添加：${names(add)}` : '', remove.length > 0 ? `移除：${names(remove)}` : '']
        .filter(Boolean)
        .join('；');

      const batchId = await db.tx(async (tx) => {
        const id = await repo.insertBatch(tx, {
          corpId,
          actorId: actorFields(actor).actorId,
          actorName: actor.name,
          add,
          remove,
          total: follows.length,
          createdAt,
        });
        for (let i = 0; i * BULK_TAG_CHUNK < follows.length; i++) {
          const chunk = follows.slice(i * BULK_TAG_CHUNK, (i + 1) * BULK_TAG_CHUNK);
          await deps.jobs.enqueue(
            tx,
            deps.chunkJob,
            {
              batchId: id,
              add,
              remove,
              follows: chunk.map((f) => ({ userId: f.userId, externalUserId: f.externalUserId })),
            },
            { corpId, dedupeKey: bulkTagChunkKey(id, i) },
          );
        }
        // Customers' ids stay out of the audit log (an erasure could not reach them there): counts and reps only.
        await deps.audit.record(tx, ctx, {
          action: 'customer.bulk_tag',
          targetType: 'customer',
          targetId: null,
          summary: `批量修改 ${follows.length} 段客户跟进关系的标签（${changes}）`,
          detail: {
            batchId: id,
            mode: body.targets ? 'targets' : 'filter',
            total: follows.length,
            add: refs(add, known),
            remove: refs(remove, known),
            reps,
            ...(body.filter ? { filter: body.filter } : {}),
          },
        });
        return id;
      });
      return view((await repo.batch(db, corpId, batchId))!);
    },

    /** A batch's progress: admins see every batch of the corp, a manager the batches they started. */
    async get(actor: ConsoleActor, scope: Scope, batchId: number): Promise<BulkTagBatch> {
      const batch = await repo.batch(db, actor.corpId, batchId);
      if (!batch) throw new NotFoundError('批量打标签任务不存在');
      if (!scope.all && batch.actorId !== actorFields(actor).actorId) {
        throw new ForbiddenError('只能查看自己发起的批量打标签任务');
      }
      return view(batch);
    },
  };
}
export type BulkTagService = ReturnType<typeof createBulkTagService>;
