import type { Database } from '../../db/database.js';
import { ForbiddenError, NotFoundError } from '../../errors.js';
import type { SessionUser } from '../auth/session-service.js';
import type { ContactRepo, FollowRow } from '../contacts/repo.js';

/**
 * The access rule of the sidebar: a rep reads and changes only their own customers. A customer they don't follow
 * (any more) is 403, an unknown one 404. Shared by the customer card and the timeline, which both build it from the
 * contacts repo (the timeline module cannot depend on the customers module: customers record on the timeline).
 */
export function createFollowerCheck(db: Database, contacts: Pick<ContactRepo, 'findFollow' | 'findContact'>) {
  /** The rep's active follow of the customer. */
  return async function requireFollower(user: SessionUser, externalUserId: string): Promise<FollowRow> {
    const follow = await contacts.findFollow(db, user.corpId, user.userId, externalUserId);
    if (follow?.status === 'active') return follow;
    if (follow || (await contacts.findContact(db, user.corpId, externalUserId))) {
      throw new ForbiddenError('这不是你跟进的客户');
    }
    throw new NotFoundError('客户不存在');
  };
}
export type RequireFollower = ReturnType<typeof createFollowerCheck>;
