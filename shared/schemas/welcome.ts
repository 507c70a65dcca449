import { Type, type Static } from 'typebox';
import { InputObject, PatternString } from './common.js';

/** send_welcome_msg takes at most 9 attachments [D-92599]. */
export const MAX_WELCOME_ATTACHMENTS = 9;

const Url = Type.String({ minLength: 1, maxLength: 2048 });

/**
 * One attachment. `type` says which fields apply (checked by the service, which names the wrong field):
 * image → imageUrl (fetched and uploaded to WeCom for a media id); link → title, url, desc?, picUrl?;
 * miniprogram → title, appId, page, picUrl (its cover, uploaded like an image).
 */
export const WelcomeAttachment = InputObject({
  type: Type.Union([Type.Literal('image'), Type.Literal('link'), Type.Literal('miniprogram')]),
  imageUrl: Type.Optional(Url),
  title: Type.Optional(Type.String({ maxLength: 128 })),
  url: Type.Optional(Url),
  desc: Type.Optional(Type.String({ maxLength: 512 })),
  picUrl: Type.Optional(Url),
  appId: Type.Optional(Type.String({ maxLength: 64 })),
  page: Type.Optional(Type.String({ maxLength: 512 })),
});
export type WelcomeAttachment = Static<typeof WelcomeAttachment>;

const Attachments = Type.Array(WelcomeAttachment, { maxItems: MAX_WELCOME_ATTACHMENTS });
/** Text with placeholders {客户昵称} and {员工姓名}; WeCom's limit is 4000 bytes, checked by the service. */
const Text = Type.String({ maxLength: 4000 });
const ClockTime = PatternString('^([01][0-9]|2[0-4]):[0-5][0-9]$', '应为 HH:MM 格式的时间（00:00 到 24:00）');

/** A time-slot variant: used instead of the base message when the add happens on one of `weekdays` within [start, end). */
export const WelcomeVariant = InputObject({
  /** ISO weekdays, 1 Monday … 7 Sunday; the day the slot starts (an overnight slot runs into the next day). */
  weekdays: Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), { minItems: 1, maxItems: 7, uniqueItems: true }),
  /** `HH:MM` on the corp's clocks (CORP_TIME_ZONE); `end` before `start` wraps past midnight; equal: the whole day. */
  start: ClockTime,
  end: ClockTime,
  text: Text,
  attachments: Attachments,
});
export type WelcomeVariant = Static<typeof WelcomeVariant>;

export const Welcome = Type.Object({
  text: Text,
  attachments: Attachments,
  variants: Type.Array(WelcomeVariant, { maxItems: 10 }),
});
export type Welcome = Static<typeof Welcome>;

/** What an admin sends: attachments and variants may be left out. */
export const WelcomeInput = InputObject({
  text: Type.Optional(Text),
  attachments: Type.Optional(Attachments),
  variants: Type.Optional(Type.Array(WelcomeVariant, { maxItems: 10 })),
});
export type WelcomeInput = Static<typeof WelcomeInput>;

export const DefaultWelcome = Type.Object({ welcome: Type.Union([Welcome, Type.Null()]) });
export type DefaultWelcome = Static<typeof DefaultWelcome>;

export const WelcomePreviewBody = InputObject({
  /** Render this channel's welcome (or the default when omitted together with `welcome`). */
  channelId: Type.Optional(Type.Integer({ minimum: 1 })),
  /** Render an unsaved welcome, e.g. while editing. */
  welcome: Type.Optional(WelcomeInput),
  customerName: Type.Optional(Type.String({ maxLength: 64 })),
  /** The rep whose name fills {员工姓名}; defaults to the channel's first rep. */
  userId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  /** Time of the add for the slot choice (ISO 8601); defaults to now. */
  at: Type.Optional(Type.String({ format: 'date-time' })),
});
export type WelcomePreviewBody = Static<typeof WelcomePreviewBody>;

export const WelcomePreview = Type.Object({
  source: Type.Union([Type.Literal('channel'), Type.Literal('default'), Type.Literal('inline'), Type.Literal('none')]),
  /** Index of the time-slot variant used, or null for the base message. */
  variant: Type.Union([Type.Integer(), Type.Null()]),
  text: Type.String(),
  attachments: Type.Array(WelcomeAttachment),
});
export type WelcomePreview = Static<typeof WelcomePreview>;
