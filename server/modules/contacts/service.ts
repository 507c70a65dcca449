import type { Db } from '../../db/open.js';
import type { WecomApi } from '../../wecom/api.js';
import type { ExternalContact as ExternalContactDetail, FollowUser as ExternalFollowUser } from '../../wecom/types.js';
import type { DirectoryService } from '../directory/service.js';
import type { ContactRepo } from './repo.js';

type ContactApi = Pick<WecomApi, 'getExternalContact' | 'getFollowUserList' | 'batchGetByUser'>;

export type LostReason = 'deleted_by_customer' | 'deleted_by_rep' | 'transferred';

/** A follower as both externalcontact/get and batch/get_by_user describe it, tags reduced to ids. */
type FollowInput = Omit<ExternalFollowUser, 'tags'> & { tagIds: string[] };

export interface SyncedContact {
  contact: ExternalContactDetail;
  followUsers: ExternalFollowUser[];
}

/** Keeps customers (external contacts) and their follows in step with WeCom. */
export function createContactService(deps: {
  db: Db;
  repo: ContactRepo;
  directory: Pick<DirectoryService, 'ensureReps'>;
  api: (corpId: string) => ContactApi;
  now?: () => number;
}) {
  const now = deps.now ?? Date.now;

  /** Every follower, across `next_cursor` pages (WeCom pages when a customer has > 500 followers). */
  async function fetchContact(corpId: string, externalUserId: string): Promise<SyncedContact> {
    const api = deps.api(corpId);
    const followUsers: ExternalFollowUser[] = [];
    let cursor: string | undefined;
    let contact: ExternalContactDetail | undefined;
    do {
      const page = await api.getExternalContact(externalUserId, cursor);
      contact = page.external_contact;
      followUsers.push(...(page.follow_user ?? []));
      cursor = page.next_cursor || undefined;
    } while (cursor);
    return { contact, followUsers };
  }

  function store(corpId: string, c: ExternalContactDetail, followUsers: FollowInput[], at: number): void {
    deps.db.transaction(() => {
      deps.repo.upsertContact(
        {
          corpId,
          externalUserId: c.external_userid,
          name: c.name,
          avatar: c.avatar ?? '',
          type: c.type ?? 1,
          gender: c.gender ?? 0,
          unionId: c.unionid ?? null,
          position: c.position ?? '',
          corpName: c.corp_name ?? '',
          corpFullName: c.corp_full_name ?? '',
        },
        at,
      );
      for (const f of followUsers) {
        deps.repo.upsertFollow({
          corpId,
          userId: f.userid,
          externalUserId: c.external_userid,
          remark: f.remark ?? '',
          description: f.description ?? '',
          remarkCorpName: f.remark_corp_name ?? '',
          remarkMobiles: f.remark_mobiles ?? [],
          state: f.state ?? '',
          addWay: f.add_way ?? 0,
          operUserId: f.oper_userid ?? '',
          addedAt: (f.createtime ?? Math.floor(at / 1000)) * 1000,
        });
        deps.repo.replaceFollowTags(corpId, f.userid, c.external_userid, f.tagIds);
      }
    });
  }

  return {
    /**
     * Fetches the customer's profile and follows from WeCom and stores them in one transaction.
     * Safe to repeat: everything is an upsert.
     */
    async syncContact(corpId: string, externalUserId: string): Promise<SyncedContact> {
      const synced = await fetchContact(corpId, externalUserId);
      await deps.directory.ensureReps(
        corpId,
        synced.followUsers.map((f) => f.userid),
      );
      const followInputs = synced.followUsers.map((f) => ({
        ...f,
        tagIds: (f.tags ?? []).map((t) => t.tag_id).filter((id): id is string => Boolean(id)),
      }));
      store(corpId, synced.contact, followInputs, now());
      return synced;
    },

    /**
     * Full sync of every customer of every rep with customer contact enabled, 100 at a time with
     * batch/get_by_user. Used at start (so an existing corp's customers appear) and daily.
     */
    async syncAll(corpId: string): Promise<{ contacts: number }> {
      const api = deps.api(corpId);
      const { follow_user: userIds } = await api.getFollowUserList();
      await deps.directory.ensureReps(corpId, userIds);
      const seen = new Set<string>();
      for (let i = 0; i < userIds.length; i += 100) {
        let cursor = '';
        do {
          const page = await api.batchGetByUser({ userid_list: userIds.slice(i, i + 100), cursor, limit: 100 });
          const at = now();
          for (const item of page.external_contact_list ?? []) {
            const f = item.follow_info;
            store(corpId, item.external_contact, [{ ...f, tagIds: f.tag_id ?? [] }], at);
            seen.add(item.external_contact.external_userid);
          }
          cursor = page.next_cursor ?? '';
        } while (cursor);
      }
      return { contacts: seen.size };
    },

    /** The follow ends (customer deleted the rep, or the rep deleted the customer). Idempotent. */
    loseFollow(corpId: string, userId: string, externalUserId: string, reason: LostReason, at: number): boolean {
      return deps.repo.loseFollow(corpId, userId, externalUserId, reason, at);
    },
  };
}
export type ContactService = ReturnType<typeof createContactService>;
