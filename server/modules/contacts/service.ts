import type { Database, Executor } from '../../db/database.js';
import type { WecomApi } from '../../wecom/api.js';
import { WecomApiError } from '../../wecom/errors.js';
import type { ExternalContact as ExternalContactDetail, FollowUser as ExternalFollowUser } from '../../wecom/types.js';
import type { DirectoryService } from '../directory/service.js';
import type { ContactRepo } from './repo.js';

type ContactApi = Pick<WecomApi, 'getExternalContact' | 'getFollowUserList' | 'batchGetByUser'>;

/** externalcontact/get: "not external contact" — no rep of the corp follows this customer (any more). */
const NO_RELATION = 84061;

export type LostReason = 'deleted_by_customer' | 'deleted_by_rep' | 'transferred';

/** A follower as both externalcontact/get and batch/get_by_user describe it, tags reduced to ids. */
type FollowInput = Omit<ExternalFollowUser, 'tags'> & { tagIds: string[] };

export interface SyncedContact {
  contact: ExternalContactDetail;
  followUsers: ExternalFollowUser[];
}

/** Keeps customers (external contacts) and their follows in step with WeCom. */
export function createContactService(deps: {
  db: Database;
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

  /** Upserts of one customer's rows only (its events run one at a time in their lane): read committed will do. */
  async function store(ex: Executor, corpId: string, c: ExternalContactDetail, followUsers: FollowInput[], at: number) {
    await deps.repo.upsertContact(
      ex,
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
      await deps.repo.upsertFollow(ex, {
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
      await deps.repo.replaceFollowTags(ex, corpId, f.userid, c.external_userid, f.tagIds);
    }
  }

  /** Fetches the customer's profile and follows from WeCom, and makes sure their reps are known (network only). */
  async function fetchSynced(corpId: string, externalUserId: string): Promise<SyncedContact> {
    const synced = await fetchContact(corpId, externalUserId);
    await deps.directory.ensureReps(
      corpId,
      synced.followUsers.map((f) => f.userid),
    );
    return synced;
  }

  /** Stores what fetchSynced returned, in the caller's transaction. Safe to repeat: everything is an upsert. */
  async function storeSynced(ex: Executor, corpId: string, synced: SyncedContact): Promise<void> {
    const followInputs = synced.followUsers.map((f) => ({
      ...f,
      tagIds: (f.tags ?? []).map((t) => t.tag_id).filter((id): id is string => Boolean(id)),
    }));
    await store(ex, corpId, synced.contact, followInputs, now());
  }

  /** Fetches the customer's profile and follows from WeCom and stores them in one transaction. */
  async function syncContact(corpId: string, externalUserId: string): Promise<SyncedContact> {
    const synced = await fetchSynced(corpId, externalUserId);
    await deps.db.tx((tx) => storeSynced(tx, corpId, synced), { isolation: 'read committed' });
    return synced;
  }

  return {
    syncContact,

    storeSynced,

    /**
     * As fetchSynced, but null when WeCom knows no relation with this customer any more (84061). The caller stores
     * it (storeSynced) in the transaction that records what follows from it.
     */
    async fetchIfRelated(corpId: string, externalUserId: string): Promise<SyncedContact | null> {
      try {
        return await fetchSynced(corpId, externalUserId);
      } catch (err) {
        if (err instanceof WecomApiError && err.errcode === NO_RELATION) return null;
        throw err;
      }
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
            await deps.db.tx((tx) => store(tx, corpId, item.external_contact, [{ ...f, tagIds: f.tag_id ?? [] }], at), {
              isolation: 'read committed',
            });
            seen.add(item.external_contact.external_userid);
          }
          cursor = page.next_cursor ?? '';
        } while (cursor);
      }
      return { contacts: seen.size };
    },

    /**
     * The follow ends (customer deleted the rep, or the rep deleted the customer). Idempotent. True when this loss
     * ends the follow: now, or already (same time and reason) in an earlier attempt of the same event whose follow-up
     * work may not have finished (its hooks are keyed by the event, so the caller runs them again). False when
     * there was no such follow to end.
     */
    async loseFollow(
      corpId: string,
      userId: string,
      externalUserId: string,
      reason: LostReason,
      at: number,
    ): Promise<boolean> {
      if (await deps.repo.loseFollow(deps.db, corpId, userId, externalUserId, reason, at)) return true;
      const follow = await deps.repo.findFollow(deps.db, corpId, userId, externalUserId);
      return follow?.status === 'lost' && follow.lostAt === at && follow.lostReason === reason;
    },
  };
}
export type ContactService = ReturnType<typeof createContactService>;
