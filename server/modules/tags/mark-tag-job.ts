import { Type, type Static } from 'typebox';
import type { Database } from '../../db/database.js';
import type { WecomApi } from '../../wecom/api.js';
import { WecomApiError } from '../../wecom/errors.js';
import type { Outcome } from '../../worker/runner.js';
import { defineJob } from '../jobs/define.js';
import { addStepRecorder } from '../timeline/add-step.js';
import type { TimelineRepo } from '../timeline/repo.js';
import type { TagService } from './service.js';

export const MarkTagPayload = Type.Object({
  eventId: Type.Integer(),
  userId: Type.String(),
  externalUserId: Type.String(),
  channelId: Type.Integer(),
  /** The channel's tags when the customer was added. */
  tagIds: Type.Array(Type.String()),
});
export type MarkTagPayload = Static<typeof MarkTagPayload>;

/** The timeline keeps one tagging outcome per add event. */
export const tagsSourceKey = (eventId: number) => `event:${eventId}:tags`;

/**
 * The `mark_tag` job: puts the channel's tags on the new customer (mark_tag), records them in `follow_tags` (API
 * changes fire no callback) and on the timeline. Tags deleted in WeCom since the channel was configured are
 * skipped and noted; a 40068 (a tag we thought alive is gone) resyncs the library and retries once without it.
 */
export function createMarkTagJob(deps: {
  db: Database;
  tags: Pick<TagService, 'findTags' | 'syncAll' | 'recordFollowTags'>;
  api: (corpId: string) => Pick<WecomApi, 'markTag' | 'getExternalContact'>;
  timeline: Pick<TimelineRepo, 'add'>;
  now?: () => number;
}) {
  const { db } = deps;
  const now = deps.now ?? Date.now;

  async function split(corpId: string, tagIds: string[]) {
    const known = await deps.tags.findTags(corpId, tagIds);
    const live = tagIds.filter((id) => known.get(id) && !known.get(id)!.deleted);
    const gone = tagIds.filter((id) => !live.includes(id));
    const names = (ids: string[]) => ids.map((id) => known.get(id)?.name ?? id);
    return { live, gone, names };
  }

  const record = addStepRecorder(deps.timeline, tagsSourceKey, now);

  /** Tags WeCom already has on the follow: after an interrupted attempt the call may have gone through. */
  async function tagsInWecom(corpId: string, p: MarkTagPayload): Promise<Set<string>> {
    const { follow_user: follows } = await deps.api(corpId).getExternalContact(p.externalUserId);
    const follow = follows.find((f) => f.userid === p.userId);
    return new Set((follow?.tags ?? []).map((t) => t.tag_id).filter((id): id is string => Boolean(id)));
  }

  async function succeeded(
    corpId: string,
    p: MarkTagPayload,
    applied: string[],
    gone: string[],
    names: (ids: string[]) => string[],
  ): Promise<Outcome> {
    const skipped = gone.length > 0 ? `（已跳过企业微信中已删除的标签：${names(gone).join('、')}）` : '';
    // Read committed: inserts keyed by the follow and the source.
    await db.tx(
      async (tx) => {
        await deps.tags.recordFollowTags(tx, corpId, p.userId, p.externalUserId, applied);
        await record(tx, corpId, p, 'tagged', `已打标签：${names(applied).join('、')}${skipped}`, {
          tagIds: applied,
          skippedTagIds: gone,
        });
      },
      { isolation: 'read committed' },
    );
    return { kind: 'done', result: `tagged ${applied.length}, skipped ${gone.length}` };
  }

  async function nothingToApply(
    corpId: string,
    p: MarkTagPayload,
    gone: string[],
    names: (ids: string[]) => string[],
  ): Promise<Outcome> {
    await record(
      db,
      corpId,
      p,
      'tag_skipped',
      `未打标签：渠道配置的标签已在企业微信删除（${names(gone).join('、')}）`,
      {
        skippedTagIds: gone,
        reason: 'tags_deleted',
      },
    );
    return { kind: 'done', result: 'every tag was deleted in WeCom' };
  }

  return defineJob('mark_tag', MarkTagPayload, async (job, p): Promise<Outcome> => {
    const corpId = job.corpId;
    let { live, gone, names } = await split(corpId, p.tagIds);
    if (live.length === 0) return nothingToApply(corpId, p, gone, names);

    if (job.attempts > 1) {
      const present = await tagsInWecom(corpId, p);
      if (live.every((id) => present.has(id))) return succeeded(corpId, p, live, gone, names);
    }

    /** null when WeCom accepted; the final WeCom error otherwise (retryable ones are thrown for the retry policy). */
    const mark = async (add: string[]): Promise<WecomApiError | null> => {
      try {
        await deps.api(corpId).markTag({ userid: p.userId, external_userid: p.externalUserId, add_tag: add });
        return null;
      } catch (err) {
        if (err instanceof WecomApiError && !err.retryable) return err;
        throw err;
      }
    };
    const failure = async (err: WecomApiError): Promise<Outcome> => {
      await record(db, corpId, p, 'tag_skipped', `打标签失败（企业微信错误码 ${err.errcode}）`, {
        errcode: err.errcode,
        reason: 'wecom_error',
      });
      return { kind: 'failed', error: `mark_tag errcode ${err.errcode}` };
    };

    let refused = await mark(live);
    if (refused && refused.errcode === 40068) {
      // A tag was deleted in WeCom without us hearing of it: refresh the mirror and try once without it.
      await deps.tags.syncAll(corpId);
      const again = await split(corpId, p.tagIds);
      if (again.live.length < live.length) {
        ({ live, gone, names } = again);
        if (live.length === 0) return nothingToApply(corpId, p, gone, names);
        refused = await mark(live);
      }
    }
    if (refused) return failure(refused);
    return succeeded(corpId, p, live, gone, names);
  });
}
export type MarkTagJob = ReturnType<typeof createMarkTagJob>;
