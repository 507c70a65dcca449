import { Type } from 'typebox';
import type { Database } from '../../db/database.js';
import type { WecomApi } from '../../wecom/api.js';
import type { Outcome } from '../../worker/runner.js';
import { defineJob } from '../jobs/define.js';
import type { TagService } from '../tags/service.js';
import type { TimelineRepo } from '../timeline/repo.js';
import type { AutomationRepo } from './repo.js';

/**
 * The `automation_tag` job: puts a corp tag on a customer for the rep (a repeat buyer), with mark_tag; records it
 * in `follow_tags` (API changes fire no callback) and on the timeline, once. After an attempt whose outcome is
 * unknown it reads the follow's tags in WeCom before calling again.
 */
export function createTagJob(deps: {
  db: Database;
  repo: AutomationRepo;
  tags: Pick<TagService, 'findTags' | 'recordFollowTags'>;
  api: (corpId: string) => Pick<WecomApi, 'markTag' | 'getExternalContact'>;
  timeline: Pick<TimelineRepo, 'add'>;
  now: () => number;
}) {
  const { db } = deps;
  return defineJob(
    'automation_tag',
    Type.Object({
      userId: Type.String(),
      externalUserId: Type.String(),
      tagId: Type.String(),
      sourceKey: Type.String(),
    }),
    async (job, p): Promise<Outcome> => {
      const corpId = job.corpId;
      const tag = (await deps.tags.findTags(corpId, [p.tagId])).get(p.tagId);
      if (!tag || tag.deleted) return { kind: 'ignored', reason: `tag ${p.tagId} does not exist (any more)` };
      if (await deps.repo.hasFollowTag(db, corpId, p.userId, p.externalUserId, p.tagId)) {
        return { kind: 'done', result: 'already tagged' };
      }
      let present = false;
      if (job.attempts > 1) {
        const { follow_user: follows } = await deps.api(corpId).getExternalContact(p.externalUserId);
        present = (follows.find((f) => f.userid === p.userId)?.tags ?? []).some((t) => t.tag_id === p.tagId);
      }
      if (!present) {
        await deps.api(corpId).markTag({ userid: p.userId, external_userid: p.externalUserId, add_tag: [p.tagId] });
      }
      await db.tx(
        async (tx) => {
          await deps.tags.recordFollowTags(tx, corpId, p.userId, p.externalUserId, [p.tagId]);
          await deps.timeline.add(tx, {
            corpId,
            externalUserId: p.externalUserId,
            userId: p.userId,
            kind: 'tagged',
            content: `复购客户，已打标签：${tag.name}`,
            payload: { tags: [{ tagId: p.tagId, name: tag.name }], source: 'repeat_purchase' },
            sourceKey: p.sourceKey,
            occurredAt: deps.now(),
          });
        },
        { isolation: 'read committed' },
      );
      return { kind: 'done', result: 'tagged' };
    },
    { maxAttempts: 5 },
  );
}
