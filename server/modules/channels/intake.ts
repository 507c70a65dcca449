import type { Db } from '../../db/open.js';
import type { ExternalContactEvent } from '../../wecom/events.js';
import type { EventRepo } from '../events/repo.js';
import type { JobService } from '../jobs/service.js';
import { MARK_TAG_JOB, type MarkTagPayload } from '../tags/mark-tag-job.js';
import type { TimelineRepo } from '../timeline/repo.js';
import { SEND_WELCOME_JOB, WELCOME_WINDOW_MS, welcomeSourceKey, type SendWelcomePayload } from '../welcome/send-job.js';
import type { ChannelRepo } from './repo.js';
import type { ChannelService } from './service.js';

/** Plenty: the 20-second deadline, not the attempt count, is what ends a welcome job. */
const WELCOME_MAX_ATTEMPTS = 30;

/**
 * What a new customer triggers, after the contact is synced (events worker): resolve the channel from `State`,
 * attribute the follow, count the add toward the rep's daily cap, record it on the timeline, and enqueue the
 * tagging and welcome jobs — all in one transaction. The timeline item keyed by the event marks the intake as done,
 * and the jobs are keyed by the event's idempotency key, so a replayed event changes nothing.
 */
export function createChannelIntake(deps: {
  db: Db;
  events: Pick<EventRepo, 'get'>;
  channels: Pick<ChannelService, 'findByState' | 'countAdd' | 'dayOf'>;
  repo: Pick<ChannelRepo, 'setFollowChannel' | 'recordMovement'>;
  follows: { addedAt(corpId: string, userId: string, externalUserId: string): number | undefined };
  timeline: Pick<TimelineRepo, 'add'>;
  jobs: Pick<JobService, 'enqueue'>;
  now?: () => number;
}) {
  const now = deps.now ?? Date.now;

  return {
    afterContactAdded(corpId: string, e: ExternalContactEvent, eventId: number): void {
      const inbox = deps.events.get(eventId);
      const receivedAt = inbox?.receivedAt ?? now();
      const dedupeKey = inbox?.idempotencyKey ?? `event:${eventId}`;
      const state = e.state ?? '';
      const channel = state ? deps.channels.findByState(corpId, state) : undefined;
      const common = { corpId, externalUserId: e.externalUserId, userId: e.userId };

      const addedText = channel
        ? `通过渠道活码「${channel.name}」添加`
        : state
          ? `通过未知渠道标识「${state}」添加，使用默认欢迎语`
          : '添加为客户（未经渠道活码）';

      // One intake per relation, not per event: WeCom may report one add twice, as add_half_external_contact (with
      // the WelcomeCode) and later add_external_contact (without). The relation's creation time tells them apart
      // from a real re-add after a deletion.
      const addedAt = deps.follows.addedAt(corpId, e.userId, e.externalUserId);
      const intakeKey =
        addedAt === undefined ? `event:${eventId}:added` : `follow:${e.userId}:${e.externalUserId}:${addedAt}:added`;

      deps.db.transaction(() => {
        const first = deps.timeline.add({
          ...common,
          kind: 'added',
          content: addedText,
          payload: {
            channelId: channel?.id ?? null,
            state,
            unknownState: Boolean(state && !channel),
            changeType: e.changeType,
          },
          sourceKey: intakeKey,
          occurredAt: receivedAt,
        });
        if (first === null) return; // this relation's intake committed before (a replay, or the second half of a pair)

        if (channel) {
          deps.repo.setFollowChannel(corpId, e.userId, e.externalUserId, channel.id);
          deps.repo.recordMovement({
            ...common,
            channelId: channel.id,
            kind: 'add',
            at: receivedAt,
            sourceKey: intakeKey,
          });
          deps.channels.countAdd(corpId, channel, e.userId, deps.channels.dayOf(receivedAt));
          const tagIds = JSON.parse(channel.tagIds) as string[];
          if (tagIds.length > 0) {
            const payload: MarkTagPayload = {
              eventId,
              userId: e.userId,
              externalUserId: e.externalUserId,
              channelId: channel.id,
              tagIds,
            };
            deps.jobs.enqueue({ corpId, kind: MARK_TAG_JOB, dedupeKey, payload });
          }
        }

        if (!e.welcomeCode) {
          deps.timeline.add({
            ...common,
            kind: 'welcome_skipped',
            content: '欢迎语未发送：事件未携带 WelcomeCode（客户已与员工聊过，或管理后台已为该员工配置欢迎语）',
            payload: { channelId: channel?.id ?? null, reason: 'no_welcome_code' },
            sourceKey: welcomeSourceKey(eventId),
            occurredAt: receivedAt,
          });
          return;
        }
        const payload: SendWelcomePayload = {
          eventId,
          userId: e.userId,
          externalUserId: e.externalUserId,
          welcomeCode: e.welcomeCode,
          channelId: channel?.id ?? null,
          addedAt: receivedAt,
        };
        deps.jobs.enqueue({
          corpId,
          kind: SEND_WELCOME_JOB,
          dedupeKey,
          payload,
          deadlineAt: receivedAt + WELCOME_WINDOW_MS,
          maxAttempts: WELCOME_MAX_ATTEMPTS,
        });
      });
    },
  };
}
export type ChannelIntake = ReturnType<typeof createChannelIntake>;
