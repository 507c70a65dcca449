import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

// Times are unix epoch milliseconds (integers) unless a column name says otherwise.
const now = sql`(CAST(unixepoch('subsec') * 1000 AS INTEGER))`;
const timestamps = {
  createdAt: integer('created_at').notNull().default(now),
  updatedAt: integer('updated_at').notNull().default(now),
};

/** A WeCom corp this deployment serves. Secrets are sealed with the at-rest key (server/db/secret-box.ts). */
export const corps = sqliteTable('corps', {
  corpId: text('corp_id').primaryKey(),
  name: text('name').notNull(),
  agentId: integer('agent_id').notNull(),
  secretSealed: text('secret_sealed').notNull(),
  tokenSealed: text('token_sealed').notNull(),
  encodingAesKeySealed: text('encoding_aes_key_sealed').notNull(),
  ...timestamps,
});

export const departments = sqliteTable(
  'departments',
  {
    corpId: text('corp_id')
      .notNull()
      .references(() => corps.corpId),
    departmentId: integer('department_id').notNull(),
    name: text('name').notNull(),
    parentId: integer('parent_id'),
    order: integer('order').notNull().default(0),
    ...timestamps,
  },
  (t) => [primaryKey({ columns: [t.corpId, t.departmentId] })],
);

/** WeCom members (成员) who serve customers. */
export const reps = sqliteTable(
  'reps',
  {
    corpId: text('corp_id')
      .notNull()
      .references(() => corps.corpId),
    userId: text('user_id').notNull(),
    name: text('name').notNull(),
    position: text('position').notNull().default(''),
    avatar: text('avatar').notNull().default(''),
    /** JSON array of department ids. */
    departmentIds: text('department_ids').notNull().default('[]'),
    /** 1 active, 2 disabled, 4 not activated, 5 resigned (WeCom's member status). */
    status: integer('status').notNull().default(1),
    ...timestamps,
  },
  (t) => [primaryKey({ columns: [t.corpId, t.userId] })],
);

/** External contacts (客户), as last fetched from externalcontact/get. */
export const contacts = sqliteTable(
  'contacts',
  {
    corpId: text('corp_id')
      .notNull()
      .references(() => corps.corpId),
    externalUserId: text('external_user_id').notNull(),
    name: text('name').notNull(),
    avatar: text('avatar').notNull().default(''),
    /** 1 WeChat user, 2 WeCom user. */
    type: integer('type').notNull().default(1),
    /** 0 unknown, 1 male, 2 female. */
    gender: integer('gender').notNull().default(0),
    unionId: text('union_id'),
    position: text('position').notNull().default(''),
    corpName: text('corp_name').notNull().default(''),
    corpFullName: text('corp_full_name').notNull().default(''),
    /** Sales stage (stages.stage_id); null means the corp's first stage. */
    stageId: integer('stage_id'),
    syncedAt: integer('synced_at'),
    ...timestamps,
  },
  (t) => [primaryKey({ columns: [t.corpId, t.externalUserId] })],
);

/** The relation rep ↔ customer (跟进关系). A customer deleting the rep, or the reverse, makes it `lost`. */
export const follows = sqliteTable(
  'follows',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    corpId: text('corp_id')
      .notNull()
      .references(() => corps.corpId),
    userId: text('user_id').notNull(),
    externalUserId: text('external_user_id').notNull(),
    remark: text('remark').notNull().default(''),
    description: text('description').notNull().default(''),
    remarkCorpName: text('remark_corp_name').notNull().default(''),
    remarkMobiles: text('remark_mobiles').notNull().default('[]'),
    state: text('state').notNull().default(''),
    addWay: integer('add_way').notNull().default(0),
    operUserId: text('oper_user_id').notNull().default(''),
    /** The channel code whose `state` brought this customer, if any. */
    channelId: integer('channel_id'),
    addedAt: integer('added_at').notNull(),
    status: text('status', { enum: ['active', 'lost'] })
      .notNull()
      .default('active'),
    lostAt: integer('lost_at'),
    /** `deleted_by_customer` (del_follow_user), `deleted_by_rep` (del_external_contact), `transferred`. */
    lostReason: text('lost_reason'),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('follows_corp_user_contact').on(t.corpId, t.userId, t.externalUserId),
    index('follows_corp_contact').on(t.corpId, t.externalUserId),
    // (…, addedAt): a rep's customer list is read newest first by keyset on (added_at, id).
    index('follows_user').on(t.corpId, t.userId, t.status, t.addedAt),
    index('follows_channel_added').on(t.corpId, t.channelId, t.addedAt),
    index('follows_channel_lost').on(t.corpId, t.channelId, t.lostAt),
  ],
);

export const tagGroups = sqliteTable(
  'tag_groups',
  {
    corpId: text('corp_id')
      .notNull()
      .references(() => corps.corpId),
    groupId: text('group_id').notNull(),
    name: text('name').notNull(),
    order: integer('order').notNull().default(0),
    deleted: integer('deleted', { mode: 'boolean' }).notNull().default(false),
    ...timestamps,
  },
  (t) => [primaryKey({ columns: [t.corpId, t.groupId] })],
);

export const tags = sqliteTable(
  'tags',
  {
    corpId: text('corp_id')
      .notNull()
      .references(() => corps.corpId),
    tagId: text('tag_id').notNull(),
    groupId: text('group_id').notNull(),
    name: text('name').notNull(),
    order: integer('order').notNull().default(0),
    deleted: integer('deleted', { mode: 'boolean' }).notNull().default(false),
    ...timestamps,
  },
  (t) => [primaryKey({ columns: [t.corpId, t.tagId] }), index('tags_group').on(t.corpId, t.groupId)],
);

/** Corp tags a rep has put on a customer (tags are per follow in WeCom). */
export const followTags = sqliteTable(
  'follow_tags',
  {
    corpId: text('corp_id').notNull(),
    userId: text('user_id').notNull(),
    externalUserId: text('external_user_id').notNull(),
    tagId: text('tag_id').notNull(),
    createdAt: integer('created_at').notNull().default(now),
  },
  (t) => [
    primaryKey({ columns: [t.corpId, t.userId, t.externalUserId, t.tagId] }),
    index('follow_tags_contact').on(t.corpId, t.externalUserId),
  ],
);

export const inboxStatuses = ['pending', 'processing', 'done', 'failed', 'ignored'] as const;
export type InboxStatus = (typeof inboxStatuses)[number];

/** Every accepted callback, keyed for exactly-once handling of WeCom's retries. */
export const events = sqliteTable(
  'events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    corpId: text('corp_id')
      .notNull()
      .references(() => corps.corpId),
    idempotencyKey: text('idempotency_key').notNull(),
    eventType: text('event_type').notNull(),
    rawXml: text('raw_xml').notNull(),
    payload: text('payload').notNull(),
    status: text('status', { enum: inboxStatuses }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    lastError: text('last_error'),
    receivedAt: integer('received_at').notNull(),
    processedAt: integer('processed_at'),
    updatedAt: integer('updated_at').notNull().default(now),
  },
  (t) => [
    uniqueIndex('events_corp_key').on(t.corpId, t.idempotencyKey),
    index('events_due').on(t.status, t.nextAttemptAt),
  ],
);

export const jobStatuses = ['pending', 'running', 'done', 'failed'] as const;
export type JobStatus = (typeof jobStatuses)[number];

/** Durable outgoing work (calls to WeCom). `dedupeKey` makes enqueueing the same work twice a no-op. */
export const jobs = sqliteTable(
  'jobs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    corpId: text('corp_id')
      .notNull()
      .references(() => corps.corpId),
    kind: text('kind').notNull(),
    dedupeKey: text('dedupe_key').notNull(),
    payload: text('payload').notNull(),
    status: text('status', { enum: jobStatuses }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull().default(8),
    runAt: integer('run_at').notNull(),
    /** Past this moment the job is pointless (e.g. the 20 s welcome window) and is failed instead of run. */
    deadlineAt: integer('deadline_at'),
    lastError: text('last_error'),
    result: text('result'),
    doneAt: integer('done_at'),
    ...timestamps,
  },
  (t) => [uniqueIndex('jobs_corp_kind_key').on(t.corpId, t.kind, t.dedupeKey), index('jobs_due').on(t.status, t.runAt)],
);

/** A channel QR code (渠道活码): a WeCom 「联系我」 way plus what to do when a customer comes through it. */
export const channels = sqliteTable(
  'channels',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    corpId: text('corp_id')
      .notNull()
      .references(() => corps.corpId),
    name: text('name').notNull(),
    groupName: text('group_name').notNull().default(''),
    remark: text('remark').notNull().default(''),
    /** Our short code, echoed by WeCom as `State` in the add event; unique per corp, ≤ 30 chars. */
    state: text('state').notNull(),
    skipVerify: integer('skip_verify', { mode: 'boolean' }).notNull().default(true),
    /** JSON array of corp tag ids applied to every customer who comes through this code. */
    tagIds: text('tag_ids').notNull().default('[]'),
    /** Per-rep daily add cap; null = no cap. */
    dailyCap: integer('daily_cap'),
    configId: text('config_id').notNull(),
    qrCode: text('qr_code').notNull(),
    deletedAt: integer('deleted_at'),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('channels_corp_state').on(t.corpId, t.state),
    index('channels_corp').on(t.corpId, t.deletedAt),
    // A live channel's name is unique in its corp (a deleted channel's name may be used again).
    uniqueIndex('channels_corp_name')
      .on(t.corpId, t.name)
      .where(sql`${t.deletedAt} IS NULL`),
  ],
);

/** Reps on a channel code: `primary` reps rotate; `backup` reps take over when every primary is capped. */
export const channelReps = sqliteTable(
  'channel_reps',
  {
    channelId: integer('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    userId: text('user_id').notNull(),
    role: text('role', { enum: ['primary', 'backup'] }).notNull(),
    order: integer('order').notNull().default(0),
    /** Local day (YYYY-MM-DD) on which this rep reached the cap and was taken off the code. */
    cappedOn: text('capped_on'),
  },
  (t) => [primaryKey({ columns: [t.channelId, t.userId] })],
);

/**
 * Welcome messages (欢迎语). `channelId` null = the corp default for customers with no channel.
 * A row with `weekdays` null is the base message; rows with weekdays + minutes are time-slot variants.
 */
export const welcomeMessages = sqliteTable(
  'welcome_messages',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    corpId: text('corp_id')
      .notNull()
      .references(() => corps.corpId),
    channelId: integer('channel_id').references(() => channels.id, { onDelete: 'cascade' }),
    /** JSON array of ISO weekdays 1 (Mon) … 7 (Sun); null for the base message. */
    weekdays: text('weekdays'),
    /** Minutes since local midnight, [start, end); end < start wraps past midnight. */
    startMinute: integer('start_minute'),
    endMinute: integer('end_minute'),
    text: text('text').notNull().default(''),
    /** JSON array of attachments (image / link / miniprogram), ≤ 9. */
    attachments: text('attachments').notNull().default('[]'),
    order: integer('order').notNull().default(0),
    ...timestamps,
  },
  (t) => [index('welcome_channel').on(t.corpId, t.channelId)],
);

/** Adds per rep per channel per local day: drives daily caps. */
export const repDailyAdds = sqliteTable(
  'rep_daily_adds',
  {
    corpId: text('corp_id').notNull(),
    channelId: integer('channel_id').notNull(),
    userId: text('user_id').notNull(),
    day: text('day').notNull(),
    count: integer('count').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.corpId, t.channelId, t.userId, t.day] })],
);

export const channelMovementKinds = ['add', 'loss'] as const;

/**
 * Every add through a channel code and every loss of a customer so added, as it happened: channel statistics are
 * counted here, because the follow row keeps only the latest add and loss of a relation (a customer who deletes the
 * rep and adds again through another code would otherwise move their history to that code).
 */
export const channelMovements = sqliteTable(
  'channel_movements',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    corpId: text('corp_id').notNull(),
    channelId: integer('channel_id').notNull(),
    userId: text('user_id').notNull(),
    externalUserId: text('external_user_id').notNull(),
    kind: text('kind', { enum: channelMovementKinds }).notNull(),
    at: integer('at').notNull(),
    /** The same key as the timeline item that records it: a replayed event adds nothing. */
    sourceKey: text('source_key').notNull(),
  },
  (t) => [
    uniqueIndex('channel_movements_source').on(t.corpId, t.sourceKey),
    index('channel_movements_channel_time').on(t.corpId, t.channelId, t.at),
  ],
);

/** Images uploaded to WeCom for welcome messages and scripts (media ids live 3 days). */
export const mediaUploads = sqliteTable(
  'media_uploads',
  {
    corpId: text('corp_id').notNull(),
    /** sha256 of the image bytes or of its URL. */
    sourceKey: text('source_key').notNull(),
    mediaId: text('media_id').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.corpId, t.sourceKey] })],
);

/**
 * One customer history: events (added, tagged, welcome sent, stage changed, lost), notes, script sends
 * and messages, newest first by (occurred_at, id). `sourceKey` makes recording an event's step idempotent.
 */
export const timelineItems = sqliteTable(
  'timeline_items',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    corpId: text('corp_id').notNull(),
    externalUserId: text('external_user_id').notNull(),
    /** The rep concerned (author of a note, sender of a script), if any. */
    userId: text('user_id'),
    kind: text('kind').notNull(),
    content: text('content').notNull().default(''),
    payload: text('payload').notNull().default('{}'),
    /** Follow-up notes: optional due date. */
    dueAt: integer('due_at'),
    sourceKey: text('source_key'),
    occurredAt: integer('occurred_at').notNull(),
    ...timestamps,
  },
  (t) => [
    index('timeline_contact_time').on(t.corpId, t.externalUserId, t.occurredAt, t.id),
    // The sidebar's filter chips (notes, messages …) stay index reads however long a customer's history is.
    index('timeline_contact_kind_time').on(t.corpId, t.externalUserId, t.kind, t.occurredAt, t.id),
    uniqueIndex('timeline_source').on(t.corpId, t.sourceKey),
  ],
);

/** Things a manager must hear about (customer deleted the rep …); delivery comes later. */
export const alerts = sqliteTable(
  'alerts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    corpId: text('corp_id').notNull(),
    kind: text('kind').notNull(),
    userId: text('user_id'),
    externalUserId: text('external_user_id'),
    detail: text('detail').notNull().default('{}'),
    sourceKey: text('source_key'),
    deliveredAt: integer('delivered_at'),
    createdAt: integer('created_at').notNull().default(now),
  },
  (t) => [uniqueIndex('alerts_source').on(t.corpId, t.sourceKey), index('alerts_created').on(t.corpId, t.createdAt)],
);

/** Sales stages (新客户 / 跟进中 / 已成交 / 已流失 by default), configurable per corp. */
export const stages = sqliteTable(
  'stages',
  {
    stageId: integer('stage_id').primaryKey({ autoIncrement: true }),
    corpId: text('corp_id').notNull(),
    name: text('name').notNull(),
    order: integer('order').notNull().default(0),
  },
  (t) => [uniqueIndex('stages_corp_name').on(t.corpId, t.name)],
);

/** Server-side sessions of reps signed in through WeCom OAuth; the cookie holds a random token, we keep its hash. */
export const sessions = sqliteTable(
  'sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    corpId: text('corp_id').notNull(),
    userId: text('user_id').notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    lastSeenAt: integer('last_seen_at').notNull(),
  },
  (t) => [index('sessions_expiry').on(t.expiresAt)],
);

/** The script library (话术库). */
export const scriptGroups = sqliteTable('script_groups', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  corpId: text('corp_id').notNull(),
  name: text('name').notNull(),
  order: integer('order').notNull().default(0),
  /** Soft delete: deleted scripts keep their group, so send history and stats stay readable. */
  deletedAt: integer('deleted_at'),
  ...timestamps,
});

export const scripts = sqliteTable(
  'scripts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    corpId: text('corp_id').notNull(),
    groupId: integer('group_id')
      .notNull()
      .references(() => scriptGroups.id),
    title: text('title').notNull(),
    /** text | image | link */
    kind: text('kind', { enum: ['text', 'image', 'link'] }).notNull(),
    /** The text to send, or the caption / description for image and link. */
    content: text('content').notNull().default(''),
    /** image: { url, mediaId? }; link: { title, desc, url, imgUrl }. */
    payload: text('payload').notNull().default('{}'),
    order: integer('order').notNull().default(0),
    sendCount: integer('send_count').notNull().default(0),
    deletedAt: integer('deleted_at'),
    ...timestamps,
  },
  (t) => [index('scripts_group').on(t.corpId, t.groupId)],
);

export const scriptFavorites = sqliteTable(
  'script_favorites',
  {
    corpId: text('corp_id').notNull(),
    userId: text('user_id').notNull(),
    scriptId: integer('script_id')
      .notNull()
      .references(() => scripts.id),
    createdAt: integer('created_at').notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.corpId, t.userId, t.scriptId] })],
);

export const scriptSends = sqliteTable(
  'script_sends',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    corpId: text('corp_id').notNull(),
    userId: text('user_id').notNull(),
    externalUserId: text('external_user_id').notNull(),
    scriptId: integer('script_id').notNull(),
    sentAt: integer('sent_at').notNull(),
  },
  (t) => [index('script_sends_user').on(t.corpId, t.userId, t.sentAt)],
);

/**
 * OAuth sign-ins in flight: the hash of each `state` handed to WeCom, until its callback consumes it (once) or it
 * expires. In the database, not in memory, so every instance sharing it refuses a replayed state.
 */
export const oauthStates = sqliteTable(
  'oauth_states',
  {
    stateHash: text('state_hash').primaryKey(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('oauth_states_expiry').on(t.expiresAt)],
);
