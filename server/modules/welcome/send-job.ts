import { Type, type Static } from 'typebox';
import type { Database } from '../../db/database.js';
import type { WecomApi } from '../../wecom/api.js';
import { WecomApiError } from '../../wecom/errors.js';
import type { MessageAttachment } from '../../wecom/types.js';
import type { Outcome } from '../../worker/runner.js';
import { defineJob, type JobContext } from '../jobs/define.js';
import { ImageSourceError, type MediaService } from '../media/service.js';
import { addStepRecorder } from '../timeline/add-step.js';
import type { TimelineRepo } from '../timeline/repo.js';
import { imageUrlsOf, isLocalPath, toWecomAttachment } from './model.js';
import type { WelcomeService } from './service.js';

/** WeCom accepts send_welcome_msg within 20 s of the event; we stop trying 2 s before. */
export const WELCOME_WINDOW_MS = 18_000;
/** Plenty: the 20-second deadline, not the attempt count, is what ends a welcome job. */
const WELCOME_MAX_ATTEMPTS = 30;

export const SendWelcomePayload = Type.Object({
  eventId: Type.Integer(),
  userId: Type.String(),
  externalUserId: Type.String(),
  welcomeCode: Type.String(),
  channelId: Type.Union([Type.Integer(), Type.Null()]),
  /** When the add reached us (ms): picks the time-slot variant. */
  addedAt: Type.Number(),
});
export type SendWelcomePayload = Static<typeof SendWelcomePayload>;

/** The timeline keeps one welcome outcome per add event, whatever happens to the job. */
export const welcomeSourceKey = (eventId: number) => `event:${eventId}:welcome`;

/**
 * The `send_welcome` job: renders the welcome for this customer and rep, uploads image attachments, calls
 * send_welcome_msg with the event's WelcomeCode and records the outcome on the customer's timeline.
 * 41051 (code already used) means an earlier attempt got through: done. 41096 and transient errors are retried
 * until the job's deadline; other refusals are final and recorded.
 */
export function createSendWelcomeJob(deps: {
  db: Database;
  welcome: Pick<WelcomeService, 'choose' | 'render'>;
  media: Pick<MediaService, 'imageMediaId'>;
  api: (corpId: string) => Pick<WecomApi, 'sendWelcomeMsg'>;
  timeline: Pick<TimelineRepo, 'add'>;
  names: {
    customer(corpId: string, externalUserId: string): Promise<string>;
    rep(corpId: string, userId: string): Promise<string>;
  };
  /** Our own origin as the server reaches itself: images stored as a path on this server are fetched from it. */
  internalOrigin: () => string;
  now?: () => number;
}) {
  const { db } = deps;
  const now = deps.now ?? Date.now;

  const record = addStepRecorder(deps.timeline, welcomeSourceKey, now);

  /** Media ids for every image the attachments need; an unusable image drops its attachment (noted), not the welcome. */
  async function mediaIds(
    corpId: string,
    urls: string[],
  ): Promise<{ ids: Map<string, string>; failed: Map<string, string> }> {
    const ids = new Map<string, string>();
    const failed = new Map<string, string>();
    for (const url of new Set(urls)) {
      try {
        const absolute = isLocalPath(url) ? `${deps.internalOrigin().replace(/\/+$/, '')}${url}` : url;
        ids.set(url, await deps.media.imageMediaId(corpId, absolute));
      } catch (err) {
        if (err instanceof ImageSourceError) failed.set(url, err.message);
        else if (err instanceof WecomApiError && !err.retryable) failed.set(url, `上传失败（错误码 ${err.errcode}）`);
        else throw err;
      }
    }
    return { ids, failed };
  }

  async function handler(job: JobContext, p: SendWelcomePayload): Promise<Outcome> {
    const corpId = job.corpId;
    const chosen = await deps.welcome.choose(corpId, p.channelId, p.addedAt);
    if (!chosen) {
      await record(db, corpId, p, 'welcome_skipped', '欢迎语未发送：未配置欢迎语（渠道与默认欢迎语均为空）', {
        reason: 'not_configured',
      });
      return { kind: 'done', result: 'no welcome configured' };
    }
    const rendered = deps.welcome.render(chosen.content, {
      customerName: await deps.names.customer(corpId, p.externalUserId),
      repName: await deps.names.rep(corpId, p.userId),
    });

    const { ids, failed } = await mediaIds(corpId, rendered.attachments.flatMap(imageUrlsOf));
    const attachments: MessageAttachment[] = rendered.attachments
      .filter((a) => imageUrlsOf(a).every((u) => ids.has(u)))
      .map((a) => toWecomAttachment(a, (u) => ids.get(u)!));
    const omitted = [...failed.values()];
    const text = rendered.text.trim() === '' ? undefined : rendered.text;
    const details = { source: chosen.source, variant: chosen.variant, attachments: attachments.length, omitted };
    if (!text && attachments.length === 0) {
      await record(db, corpId, p, 'welcome_skipped', `欢迎语未发送：附件均无法使用（${omitted.join('；')}）`, {
        ...details,
        reason: 'attachments_unusable',
      });
      return { kind: 'failed', error: 'every attachment was unusable and there is no text' };
    }

    try {
      await deps.api(corpId).sendWelcomeMsg({
        welcome_code: p.welcomeCode,
        ...(text ? { text: { content: text } } : {}),
        ...(attachments.length > 0 ? { attachments } : {}),
      });
    } catch (err) {
      if (err instanceof WecomApiError && err.errcode === 41051) {
        // The code is spent: an earlier attempt (before a crash or a lost answer) delivered it, or the customer
        // already started chatting. Either way there is nothing left to send.
        await record(
          db,
          corpId,
          p,
          'welcome_sent',
          '欢迎语已送达，无需再发（企业微信返回 41051：已发送过或客户已开始聊天）',
          {
            ...details,
            errcode: 41051,
          },
        );
        return { kind: 'done', result: '41051: already delivered' };
      }
      if (err instanceof WecomApiError && !err.retryable) {
        await record(db, corpId, p, 'welcome_skipped', `欢迎语发送失败（企业微信错误码 ${err.errcode}）`, {
          ...details,
          errcode: err.errcode,
        });
        return { kind: 'failed', error: `send_welcome_msg errcode ${err.errcode}` };
      }
      // 41096 (another app is sending), token, rate-limit and network problems: the retry policy retries,
      // until the deadline or the last attempt, which is recorded here.
      if (job.attempts >= WELCOME_MAX_ATTEMPTS) {
        const code = err instanceof WecomApiError ? `企业微信错误码 ${err.errcode}` : '网络错误';
        await record(db, corpId, p, 'welcome_skipped', `欢迎语发送失败：重试 ${job.attempts} 次仍未成功（${code}）`, {
          ...details,
          reason: 'gave_up',
        });
        return { kind: 'failed', error: `gave up after ${job.attempts} attempts: ${(err as Error).message}` };
      }
      throw err;
    }
    const note = omitted.length > 0 ? `（部分附件未发送：${omitted.join('；')}）` : '';
    await record(db, corpId, p, 'welcome_sent', `已发送欢迎语：${rendered.text}${note}`, details);
    return {
      kind: 'done',
      result: `sent (${chosen.source}${chosen.variant === null ? '' : ` variant ${chosen.variant}`})`,
    };
  }

  /** The 20-second window closed before the job could run (backlog, restart, retries): recorded, never sent late. */
  async function onDeadlinePassed(job: JobContext, p: SendWelcomePayload): Promise<void> {
    await record(db, job.corpId, p, 'welcome_skipped', '欢迎语未发送：已超过20秒发送时限', {
      reason: 'window_expired',
    });
  }

  return defineJob('send_welcome', SendWelcomePayload, handler, {
    onDeadlinePassed,
    maxAttempts: WELCOME_MAX_ATTEMPTS,
  });
}
export type SendWelcomeJob = ReturnType<typeof createSendWelcomeJob>;
