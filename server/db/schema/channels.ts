import { sql } from 'drizzle-orm';
import type { WelcomeAttachment } from '../../../shared/schemas/welcome.js';
import type { Kit } from '../kit.js';
import { timestampColumns, type CoreTables } from './core.js';

export const channelRepRoles = ['primary', 'backup'] as const;
export const channelMovementKinds = ['add', 'loss'] as const;

/** Channel codes (渠道活码), their reps and welcome messages, and what they counted. */
export function channelTables(k: Kit, { corps }: CoreTables) {
  /** A channel QR code (渠道活码): a WeCom 「联系我」 way plus what to do when a customer comes through it. */
  const channels = k.table(
    'channels',
    {
      id: k.id('id'),
      corpId: k
        .text('corp_id')
        .notNull()
        .references(() => corps.corpId),
      name: k.text('name').notNull(),
      groupName: k.text('group_name').notNull().default(''),
      remark: k.text('remark').notNull().default(''),
      /** Our short code, echoed by WeCom as `State` in the add event; unique per corp, ≤ 30 chars. */
      state: k.text('state').notNull(),
      skipVerify: k.bool('skip_verify').notNull().default(true),
      /** Corp tag ids applied to every customer who comes through this code. */
      tagIds: k.json<string[]>('tag_ids').notNull().default([]),
      /** Per-rep daily add cap; null = no cap. */
      dailyCap: k.int('daily_cap'),
      configId: k.text('config_id').notNull(),
      qrCode: k.text('qr_code').notNull(),
      deletedAt: k.ms('deleted_at'),
      ...timestampColumns(k),
    },
    (t) => [
      k.uniqueIndex('channels_corp_state').on(t.corpId, t.state),
      k.index('channels_corp').on(t.corpId, t.deletedAt),
      // A live channel's name is unique in its corp (a deleted channel's name may be used again).
      k
        .uniqueIndex('channels_corp_name')
        .on(t.corpId, t.name)
        .where(sql`${t.deletedAt} IS NULL`),
    ],
  );

  /** Reps on a channel code: `primary` reps rotate; `backup` reps take over when every primary is capped. */
  const channelReps = k.table(
    'channel_reps',
    {
      channelId: k
        .int('channel_id')
        .notNull()
        .references(() => channels.id, { onDelete: 'cascade' }),
      userId: k.text('user_id').notNull(),
      role: k.text('role', { enum: channelRepRoles }).notNull(),
      order: k.int('order').notNull().default(0),
      /** Corp-zone day (YYYY-MM-DD) on which this rep reached the cap and was taken off the code. */
      cappedOn: k.text('capped_on'),
    },
    (t) => [k.primaryKey({ columns: [t.channelId, t.userId] })],
  );

  /**
   * Welcome messages (欢迎语). `channelId` null = the corp default for customers with no channel.
   * A row with `weekdays` null is the base message; rows with weekdays + minutes are time-slot variants.
   */
  const welcomeMessages = k.table(
    'welcome_messages',
    {
      id: k.id('id'),
      corpId: k
        .text('corp_id')
        .notNull()
        .references(() => corps.corpId),
      channelId: k.int('channel_id').references(() => channels.id, { onDelete: 'cascade' }),
      /** ISO weekdays 1 (Mon) … 7 (Sun); null for the base message. */
      weekdays: k.json<number[]>('weekdays'),
      /** Minutes since midnight in the corp's zone, [start, end); end < start wraps past midnight. */
      startMinute: k.int('start_minute'),
      endMinute: k.int('end_minute'),
      text: k.text('text').notNull().default(''),
      /** Attachments (image / link / miniprogram), ≤ 9. */
      attachments: k.json<WelcomeAttachment[]>('attachments').notNull().default([]),
      order: k.int('order').notNull().default(0),
      ...timestampColumns(k),
    },
    (t) => [k.index('welcome_channel').on(t.corpId, t.channelId)],
  );

  /** Adds per rep per channel per corp-zone day: drives daily caps. */
  const repDailyAdds = k.table(
    'rep_daily_adds',
    {
      corpId: k.text('corp_id').notNull(),
      channelId: k.int('channel_id').notNull(),
      userId: k.text('user_id').notNull(),
      day: k.text('day').notNull(),
      count: k.int('count').notNull().default(0),
    },
    (t) => [k.primaryKey({ columns: [t.corpId, t.channelId, t.userId, t.day] })],
  );

  /**
   * Every add through a channel code and every loss of a customer so added, as it happened: channel statistics are
   * counted here, because the follow row keeps only the latest add and loss of a relation (a customer who deletes
   * the rep and adds again through another code would otherwise move their history to that code).
   */
  const channelMovements = k.table(
    'channel_movements',
    {
      id: k.id('id'),
      corpId: k.text('corp_id').notNull(),
      channelId: k.int('channel_id').notNull(),
      userId: k.text('user_id').notNull(),
      externalUserId: k.text('external_user_id').notNull(),
      kind: k.text('kind', { enum: channelMovementKinds }).notNull(),
      at: k.ms('at').notNull(),
      /** The same key as the timeline item that records it: a replayed event adds nothing. */
      sourceKey: k.text('source_key').notNull(),
    },
    (t) => [
      k.uniqueIndex('channel_movements_source').on(t.corpId, t.sourceKey),
      k.index('channel_movements_channel_time').on(t.corpId, t.channelId, t.at),
    ],
  );

  /** Images uploaded to WeCom for welcome messages and scripts (media ids live 3 days). */
  const mediaUploads = k.table(
    'media_uploads',
    {
      corpId: k.text('corp_id').notNull(),
      /** sha256 of the image bytes or of its URL. */
      sourceKey: k.text('source_key').notNull(),
      mediaId: k.text('media_id').notNull(),
      expiresAt: k.ms('expires_at').notNull(),
    },
    (t) => [k.primaryKey({ columns: [t.corpId, t.sourceKey] })],
  );

  return { channels, channelReps, welcomeMessages, repDailyAdds, channelMovements, mediaUploads };
}
