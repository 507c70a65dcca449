import { sql } from 'drizzle-orm';
import type { Kit } from '../kit.js';
import { timestampColumns } from './core.js';

export const scriptKinds = ['text', 'image', 'link'] as const;

/** What the rep sidebar reads and writes: timeline, stages, sessions, the script library; and alerts. */
export function sidebarTables(k: Kit) {
  /**
   * One customer history: events (added, tagged, welcome sent, stage changed, lost), notes, script sends
   * and messages, newest first by (occurred_at, id). `sourceKey` makes recording an event's step idempotent.
   */
  const timelineItems = k.table(
    'timeline_items',
    {
      id: k.id('id'),
      corpId: k.text('corp_id').notNull(),
      externalUserId: k.text('external_user_id').notNull(),
      /** The rep concerned (author of a note, sender of a script), if any. */
      userId: k.text('user_id'),
      kind: k.text('kind').notNull(),
      content: k.text('content').notNull().default(''),
      payload: k.json<Record<string, unknown>>('payload').notNull().default({}),
      /** Follow-up notes: optional due date. */
      dueAt: k.ms('due_at'),
      sourceKey: k.text('source_key'),
      occurredAt: k.ms('occurred_at').notNull(),
      ...timestampColumns(k),
    },
    (t) => [
      k.index('timeline_contact_time').on(t.corpId, t.externalUserId, t.occurredAt, t.id),
      // The sidebar's filter chips (notes, messages …) stay index reads however long a customer's history is.
      k.index('timeline_contact_kind_time').on(t.corpId, t.externalUserId, t.kind, t.occurredAt, t.id),
      k.uniqueIndex('timeline_source').on(t.corpId, t.sourceKey),
      // The console's daily figures read one kind over a day (notes written per rep).
      k.index('timeline_kind_time').on(t.corpId, t.kind, t.occurredAt),
      // Notes whose reminder time comes (跟进提醒): the automations' scan reads only the due ones.
      k
        .index('timeline_due')
        .on(t.corpId, t.dueAt)
        .where(sql`${t.dueAt} IS NOT NULL`),
    ],
  );

  /** Things a manager must hear about (customer deleted the rep …). */
  const alerts = k.table(
    'alerts',
    {
      id: k.id('id'),
      corpId: k.text('corp_id').notNull(),
      kind: k.text('kind').notNull(),
      userId: k.text('user_id'),
      externalUserId: k.text('external_user_id'),
      detail: k.json<Record<string, unknown>>('detail').notNull().default({}),
      sourceKey: k.text('source_key'),
      deliveredAt: k.ms('delivered_at'),
      createdAt: k.ms('created_at').notNull().default(k.nowMs()),
    },
    (t) => [
      k.uniqueIndex('alerts_source').on(t.corpId, t.sourceKey),
      k.index('alerts_created').on(t.corpId, t.createdAt),
    ],
  );

  /** Sales stages (新客户 / 跟进中 / 已成交 / 已流失 by default), configurable per corp. */
  const stages = k.table(
    'stages',
    {
      stageId: k.id('stage_id'),
      corpId: k.text('corp_id').notNull(),
      name: k.text('name').notNull(),
      order: k.int('order').notNull().default(0),
    },
    (t) => [k.uniqueIndex('stages_corp_name').on(t.corpId, t.name)],
  );

  /** Server-side sessions of reps signed in through WeCom OAuth; the cookie holds a random token, we keep its hash. */
  const sessions = k.table(
    'sessions',
    {
      tokenHash: k.text('token_hash').primaryKey(),
      corpId: k.text('corp_id').notNull(),
      userId: k.text('user_id').notNull(),
      createdAt: k.ms('created_at').notNull(),
      expiresAt: k.ms('expires_at').notNull(),
      lastSeenAt: k.ms('last_seen_at').notNull(),
    },
    (t) => [k.index('sessions_expiry').on(t.expiresAt)],
  );

  /**
   * OAuth sign-ins in flight: the hash of each `state` handed to WeCom, until its callback consumes it (once) or it
   * expires. In the database, not in memory, so every instance sharing it refuses a replayed state.
   */
  const oauthStates = k.table(
    'oauth_states',
    {
      stateHash: k.text('state_hash').primaryKey(),
      createdAt: k.ms('created_at').notNull(),
      expiresAt: k.ms('expires_at').notNull(),
    },
    (t) => [k.index('oauth_states_expiry').on(t.expiresAt)],
  );

  /** The script library (话术库). */
  const scriptGroups = k.table('script_groups', {
    id: k.id('id'),
    corpId: k.text('corp_id').notNull(),
    name: k.text('name').notNull(),
    order: k.int('order').notNull().default(0),
    /** Soft delete: deleted scripts keep their group, so send history and stats stay readable. */
    deletedAt: k.ms('deleted_at'),
    ...timestampColumns(k),
  });

  const scripts = k.table(
    'scripts',
    {
      id: k.id('id'),
      corpId: k.text('corp_id').notNull(),
      groupId: k
        .int('group_id')
        .notNull()
        .references(() => scriptGroups.id),
      title: k.text('title').notNull(),
      kind: k.text('kind', { enum: scriptKinds }).notNull(),
      /** The text to send, or the caption / description for image and link. */
      content: k.text('content').notNull().default(''),
      /** image: { url, mediaId? }; link: { title, desc, url, imgUrl }. */
      payload: k.json<Record<string, unknown>>('payload').notNull().default({}),
      order: k.int('order').notNull().default(0),
      sendCount: k.int('send_count').notNull().default(0),
      deletedAt: k.ms('deleted_at'),
      ...timestampColumns(k),
    },
    (t) => [k.index('scripts_group').on(t.corpId, t.groupId)],
  );

  const scriptFavorites = k.table(
    'script_favorites',
    {
      corpId: k.text('corp_id').notNull(),
      userId: k.text('user_id').notNull(),
      scriptId: k
        .int('script_id')
        .notNull()
        .references(() => scripts.id),
      createdAt: k.ms('created_at').notNull().default(k.nowMs()),
    },
    (t) => [k.primaryKey({ columns: [t.corpId, t.userId, t.scriptId] })],
  );

  const scriptSends = k.table(
    'script_sends',
    {
      id: k.id('id'),
      corpId: k.text('corp_id').notNull(),
      userId: k.text('user_id').notNull(),
      externalUserId: k.text('external_user_id').notNull(),
      scriptId: k.int('script_id').notNull(),
      sentAt: k.ms('sent_at').notNull(),
    },
    (t) => [k.index('script_sends_user').on(t.corpId, t.userId, t.sentAt)],
  );

  return { timelineItems, alerts, stages, sessions, oauthStates, scriptGroups, scripts, scriptFavorites, scriptSends };
}
