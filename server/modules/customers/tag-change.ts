import type { Executor } from '../../db/database.js';
import type { TimelineRepo } from '../timeline/repo.js';
import type { CustomerRepo } from './repo.js';

export interface TagChange {
  corpId: string;
  userId: string;
  externalUserId: string;
  add: string[];
  remove: string[];
  /** A tag's name for the timeline (its id when unknown). */
  nameOf: (tagId: string) => string;
  at: number;
  /** Said after the timeline text, e.g. （批量打标签）. */
  note?: string;
  /** Added to each timeline item's payload (where the change came from). */
  payload?: Record<string, unknown>;
  /** Each timeline item's source key, by kind (idempotent writers). */
  sourceKey?: (kind: 'tagged' | 'untagged') => string;
}

/**
 * Mirrors a tag change WeCom accepted (mark_tag) in the caller's transaction: the relationship's tags, and one
 * timeline item for what was added and one for what was removed (only what really changed). The sidebar's tag editor
 * and the console's bulk tagging write it the same way.
 */
export async function recordTagChange(
  tx: Executor,
  deps: { repo: Pick<CustomerRepo, 'addFollowTags' | 'removeFollowTags'>; timeline: Pick<TimelineRepo, 'add'> },
  c: TagChange,
): Promise<{ added: string[]; removed: string[] }> {
  const added = await deps.repo.addFollowTags(tx, c.corpId, c.userId, c.externalUserId, c.add);
  const removed = await deps.repo.removeFollowTags(tx, c.corpId, c.userId, c.externalUserId, c.remove);
  const changes = [
    { kind: 'tagged', label: '添加标签', ids: added },
    { kind: 'untagged', label: '移除标签', ids: removed },
  ] as const;
  for (const { kind, label, ids } of changes) {
    if (ids.length === 0) continue;
    const tags = ids.map((tagId) => ({ tagId, name: c.nameOf(tagId) }));
    await deps.timeline.add(tx, {
      corpId: c.corpId,
      externalUserId: c.externalUserId,
      userId: c.userId,
      kind,
      content: `${label}：${tags.map((t) => t.name).join('、')}${c.note ?? ''}`,
      payload: { tags, ...c.payload },
      ...(c.sourceKey ? { sourceKey: c.sourceKey(kind) } : {}),
      occurredAt: c.at,
    });
  }
  return { added, removed };
}
