import { sql } from 'drizzle-orm';
import type { Database, Executor } from '../../db/database.js';
import type { ExternalContactEvent } from '../../wecom/events.js';
import type { ContactRepo } from '../contacts/repo.js';
import type { EventHooks } from '../events/service.js';

/** The key of an add or a loss: what happened, so a hook and the rollup's reconciliation record it once. */
export const movementKey = (kind: 'add' | 'loss', userId: string, externalUserId: string, at: number) =>
  `${kind}:${userId}:${externalUserId}:${at}`;

/**
 * Every add and loss of a customer relationship, as it happens (the follow row keeps only the latest): the events'
 * hooks record them from the follow as the contacts and channels modules left it (its add time, channel, loss
 * reason); the nightly rollup completes the record from `follows` (relationships met by a sync, without an event).
 */
export function createMovementRecorder(deps: { db: Database; contacts: Pick<ContactRepo, 'findFollow'> }) {
  const { db } = deps;
  const { customerMovements: m } = db.t;

  const hooks: EventHooks = {
    async afterContactAdded(tx: Executor, corpId: string, e: ExternalContactEvent, eventId: number) {
      const follow = await deps.contacts.findFollow(tx, corpId, e.userId, e.externalUserId);
      if (!follow) return;
      await tx
        .insert(m)
        .values({
          corpId,
          userId: e.userId,
          externalUserId: e.externalUserId,
          kind: 'add',
          channelId: follow.channelId,
          eventId,
          at: follow.addedAt,
          sourceKey: movementKey('add', e.userId, e.externalUserId, follow.addedAt),
        })
        // Reconciled from the follow before the event was handled: the event adds what only it knows.
        .onConflictDoUpdate({
          target: [m.corpId, m.sourceKey],
          set: { eventId, channelId: follow.channelId },
          setWhere: sql`${m.eventId} IS NULL`,
        });
    },

    async afterFollowLost(corpId: string, e: ExternalContactEvent) {
      const follow = await deps.contacts.findFollow(db, corpId, e.userId, e.externalUserId);
      if (!follow || follow.lostAt === null) return;
      await db
        .insert(m)
        .values({
          corpId,
          userId: e.userId,
          externalUserId: e.externalUserId,
          kind: 'loss',
          reason: follow.lostReason,
          channelId: follow.channelId,
          at: follow.lostAt,
          sourceKey: movementKey('loss', e.userId, e.externalUserId, follow.lostAt),
        })
        .onConflictDoNothing();
    },
  };

  return {
    hooks,

    /**
     * Records the adds and losses `follows` shows in [startMs, endMs) that no hook recorded (customers met by a
     * sync). Portable SQL; keys built as movementKey builds them.
     */
    async reconcile(ex: Executor, corpId: string, startMs: number, endMs: number): Promise<number> {
      const adds = await db.exec(
        ex,
        sql`INSERT INTO customer_movements (corp_id, user_id, external_user_id, kind, channel_id, at, source_key)
            SELECT f.corp_id, f.user_id, f.external_user_id, 'add', f.channel_id, f.added_at,
                   'add:' || f.user_id || ':' || f.external_user_id || ':' || CAST(f.added_at AS TEXT)
            FROM follows f
            WHERE f.corp_id = ${corpId} AND f.added_at >= ${startMs} AND f.added_at < ${endMs}
            ON CONFLICT DO NOTHING`,
      );
      const losses = await db.exec(
        ex,
        sql`INSERT INTO customer_movements (corp_id, user_id, external_user_id, kind, reason, channel_id, at, source_key)
            SELECT f.corp_id, f.user_id, f.external_user_id, 'loss', f.lost_reason, f.channel_id, f.lost_at,
                   'loss:' || f.user_id || ':' || f.external_user_id || ':' || CAST(f.lost_at AS TEXT)
            FROM follows f
            WHERE f.corp_id = ${corpId} AND f.lost_at >= ${startMs} AND f.lost_at < ${endMs}
            ON CONFLICT DO NOTHING`,
      );
      return adds + losses;
    },
  };
}
export type MovementRecorder = ReturnType<typeof createMovementRecorder>;
