import type { Kit } from '../kit.js';
import { timestampColumns, type CoreTables } from './core.js';

export const followStatuses = ['active', 'lost'] as const;

/** Customers (external contacts), their relations with reps, and the corp tag library. */
export function contactTables(k: Kit, { corps }: CoreTables) {
  /** External contacts (客户), as last fetched from externalcontact/get. */
  const contacts = k.table(
    'contacts',
    {
      corpId: k
        .text('corp_id')
        .notNull()
        .references(() => corps.corpId),
      externalUserId: k.text('external_user_id').notNull(),
      name: k.text('name').notNull(),
      avatar: k.text('avatar').notNull().default(''),
      /** 1 WeChat user, 2 WeCom user. */
      type: k.int('type').notNull().default(1),
      /** 0 unknown, 1 male, 2 female. */
      gender: k.int('gender').notNull().default(0),
      unionId: k.text('union_id'),
      position: k.text('position').notNull().default(''),
      corpName: k.text('corp_name').notNull().default(''),
      corpFullName: k.text('corp_full_name').notNull().default(''),
      /** Sales stage (stages.stage_id); null means the corp's first stage. */
      stageId: k.int('stage_id'),
      syncedAt: k.ms('synced_at'),
      ...timestampColumns(k),
    },
    (t) => [
      k.primaryKey({ columns: [t.corpId, t.externalUserId] }),
      // Orders pushed by an integration find their customer by WeChat unionid.
      k.index('contacts_union').on(t.corpId, t.unionId),
    ],
  );

  /** The relation rep ↔ customer (跟进关系). A customer deleting the rep, or the reverse, makes it `lost`. */
  const follows = k.table(
    'follows',
    {
      id: k.id('id'),
      corpId: k
        .text('corp_id')
        .notNull()
        .references(() => corps.corpId),
      userId: k.text('user_id').notNull(),
      externalUserId: k.text('external_user_id').notNull(),
      remark: k.text('remark').notNull().default(''),
      description: k.text('description').notNull().default(''),
      remarkCorpName: k.text('remark_corp_name').notNull().default(''),
      remarkMobiles: k.json<string[]>('remark_mobiles').notNull().default([]),
      state: k.text('state').notNull().default(''),
      addWay: k.int('add_way').notNull().default(0),
      operUserId: k.text('oper_user_id').notNull().default(''),
      /** The channel code whose `state` brought this customer, if any. */
      channelId: k.int('channel_id'),
      addedAt: k.ms('added_at').notNull(),
      status: k.text('status', { enum: followStatuses }).notNull().default('active'),
      lostAt: k.ms('lost_at'),
      /** `deleted_by_customer` (del_follow_user), `deleted_by_rep` (del_external_contact), `transferred`. */
      lostReason: k.text('lost_reason'),
      ...timestampColumns(k),
    },
    (t) => [
      k.uniqueIndex('follows_corp_user_contact').on(t.corpId, t.userId, t.externalUserId),
      k.index('follows_corp_contact').on(t.corpId, t.externalUserId),
      // (…, addedAt): a rep's customer list is read newest first by keyset on (added_at, id).
      k.index('follows_user').on(t.corpId, t.userId, t.status, t.addedAt),
      // Covering (status and the relationship too): 渠道统计 counts a channel's active adds of a range and joins their
      // tags from the index alone; through the rows it read ~30,000 relationships a channel at BENCH_SCALE=1
      // (count 80 → 5 ms, tags 140 → 33 ms, SQLite).
      k.index('follows_channel_added').on(t.corpId, t.channelId, t.addedAt, t.status, t.userId, t.externalUserId),
      k.index('follows_channel_lost').on(t.corpId, t.channelId, t.lostAt),
      // The console's customer list and its CSV read the corp's relationships newest first by keyset on
      // (added_at, id): without it every page sorted all of them (npm run bench -- console). The rep and status
      // are in it so that a department's list is filtered in the index: SQLite then reads only the rows it keeps
      // (a department's 103,438 of 1 M at BENCH_SCALE=1: the export's pages 4.5 → 2.0 s).
      k.index('follows_corp_added').on(t.corpId, t.addedAt, t.id, t.userId, t.status),
      // The daily rollup completes a day's losses from `follows` (movements.ts reconcile): a range of the day.
      k.index('follows_corp_lost').on(t.corpId, t.lostAt),
    ],
  );

  const tagGroups = k.table(
    'tag_groups',
    {
      corpId: k
        .text('corp_id')
        .notNull()
        .references(() => corps.corpId),
      groupId: k.text('group_id').notNull(),
      name: k.text('name').notNull(),
      order: k.int('order').notNull().default(0),
      deleted: k.bool('deleted').notNull().default(false),
      ...timestampColumns(k),
    },
    (t) => [k.primaryKey({ columns: [t.corpId, t.groupId] })],
  );

  const tags = k.table(
    'tags',
    {
      corpId: k
        .text('corp_id')
        .notNull()
        .references(() => corps.corpId),
      tagId: k.text('tag_id').notNull(),
      groupId: k.text('group_id').notNull(),
      name: k.text('name').notNull(),
      order: k.int('order').notNull().default(0),
      deleted: k.bool('deleted').notNull().default(false),
      ...timestampColumns(k),
    },
    (t) => [k.primaryKey({ columns: [t.corpId, t.tagId] }), k.index('tags_group').on(t.corpId, t.groupId)],
  );

  /** Corp tags a rep has put on a customer (tags are per follow in WeCom). */
  const followTags = k.table(
    'follow_tags',
    {
      corpId: k.text('corp_id').notNull(),
      userId: k.text('user_id').notNull(),
      externalUserId: k.text('external_user_id').notNull(),
      tagId: k.text('tag_id').notNull(),
      createdAt: k.ms('created_at').notNull().default(k.nowMs()),
    },
    (t) => [
      k.primaryKey({ columns: [t.corpId, t.userId, t.externalUserId, t.tagId] }),
      // Covering (user and tag too): a page of the console's customer list reads its rows' tags by customer, and
      // with the bare (corp, customer) index the planners preferred the covering primary key by corp alone, reading
      // every tag of the corp (npm run bench -- console).
      k.index('follow_tags_contact').on(t.corpId, t.externalUserId, t.userId, t.tagId),
    ],
  );

  return { contacts, follows, tagGroups, tags, followTags };
}
