import { Type, type Static } from 'typebox';
import { InputObject, NullableInteger, PatternString } from './common.js';
import { Welcome, WelcomeInput } from './welcome.js';

const UserIds = Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 100 });

export const ChannelRep = Type.Object({
  userId: Type.String(),
  name: Type.String(),
  role: Type.Union([Type.Literal('primary'), Type.Literal('backup')]),
  /** Reached the daily cap today: taken off the code until tomorrow. */
  cappedToday: Type.Boolean(),
});
export type ChannelRep = Static<typeof ChannelRep>;

export const ChannelTag = Type.Object({
  id: Type.String(),
  name: Type.String(),
  groupName: Type.String(),
  /** Deleted in WeCom since the channel was configured: skipped when tagging. */
  deleted: Type.Boolean(),
});
export type ChannelTag = Static<typeof ChannelTag>;

export const Channel = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  groupName: Type.String(),
  remark: Type.String(),
  state: Type.String(),
  skipVerify: Type.Boolean(),
  dailyCap: Type.Union([Type.Integer(), Type.Null()]),
  reps: Type.Array(ChannelRep),
  tagIds: Type.Array(Type.String()),
  tags: Type.Array(ChannelTag),
  /** null: customers of this channel get the default welcome. */
  welcome: Type.Union([Welcome, Type.Null()]),
  configId: Type.String(),
  qrCode: Type.String(),
  createdAt: Type.Integer(),
  updatedAt: Type.Integer(),
});
export type Channel = Static<typeof Channel>;

export const ChannelList = Type.Object({ channels: Type.Array(Channel) });
export type ChannelList = Static<typeof ChannelList>;

export const ChannelIdParams = InputObject({ id: Type.Integer({ minimum: 1 }) });
export type ChannelIdParams = Static<typeof ChannelIdParams>;

/** `download=1`: answered as an attachment named after the channel; otherwise inline (the console's <img>). */
export const ChannelQrQuery = InputObject({
  download: Type.Optional(Type.Union([Type.Literal('0'), Type.Literal('1')])),
});
export type ChannelQrQuery = Static<typeof ChannelQrQuery>;

const channelFields = {
  name: Type.String({ minLength: 1, maxLength: 50 }),
  groupName: Type.String({ maxLength: 30 }),
  /** A note about the code for admins; WeCom's 「联系我」 remark carries the name (its first 30 characters). */
  remark: Type.String({ maxLength: 30 }),
  /** Our channel code, echoed by WeCom in the add event; generated when omitted. */
  state: PatternString('^[A-Za-z0-9_-]+$', '只能包含字母、数字、下划线和连字符', { minLength: 1, maxLength: 30 }),
  skipVerify: Type.Boolean(),
  /** Reps the code rotates among (WeCom's multi-member code). */
  reps: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 100 }),
  /** Reps who take over when every primary rep has reached the daily cap. */
  backupReps: UserIds,
  /** Adds per rep per day after which the rep is taken off the code until the next day; null = no cap. */
  dailyCap: NullableInteger({ minimum: 1, maximum: 100_000 }),
  tagIds: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 100 }),
  /** null: use the default welcome. */
  welcome: Type.Union([WelcomeInput, Type.Null()]),
};

export const CreateChannelBody = InputObject({
  name: channelFields.name,
  groupName: Type.Optional(channelFields.groupName),
  remark: Type.Optional(channelFields.remark),
  state: Type.Optional(channelFields.state),
  skipVerify: Type.Optional(channelFields.skipVerify),
  reps: channelFields.reps,
  backupReps: Type.Optional(channelFields.backupReps),
  dailyCap: Type.Optional(channelFields.dailyCap),
  tagIds: Type.Optional(channelFields.tagIds),
  welcome: Type.Optional(channelFields.welcome),
});
export type CreateChannelBody = Static<typeof CreateChannelBody>;

/** Any subset of the fields; the rest stay as they are. */
export const UpdateChannelBody = InputObject(
  {
    name: Type.Optional(channelFields.name),
    groupName: Type.Optional(channelFields.groupName),
    remark: Type.Optional(channelFields.remark),
    state: Type.Optional(channelFields.state),
    skipVerify: Type.Optional(channelFields.skipVerify),
    reps: Type.Optional(channelFields.reps),
    backupReps: Type.Optional(channelFields.backupReps),
    dailyCap: Type.Optional(channelFields.dailyCap),
    tagIds: Type.Optional(channelFields.tagIds),
    welcome: Type.Optional(channelFields.welcome),
  },
  { minProperties: 1 },
);
export type UpdateChannelBody = Static<typeof UpdateChannelBody>;

const Day = PatternString('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', '应为 YYYY-MM-DD 格式的日期');

export const ChannelStatsQuery = InputObject({ from: Day, to: Day });
export type ChannelStatsQuery = Static<typeof ChannelStatsQuery>;

const Counts = { adds: Type.Integer(), losses: Type.Integer(), net: Type.Integer() };

export const ChannelStats = Type.Object({
  channelId: Type.Integer(),
  from: Type.String(),
  to: Type.String(),
  /** Every day of the range, calendar days of the corp's time zone (CORP_TIME_ZONE), zeros included. */
  days: Type.Array(Type.Object({ day: Type.String(), ...Counts })),
  totals: Type.Object(Counts),
});
export type ChannelStats = Static<typeof ChannelStats>;
