import type { Executor } from '../../db/database.js';
import type { ExternalContactEvent } from '../../wecom/events.js';
import type { ContactRepo } from '../contacts/repo.js';
import type { EventRepo } from '../events/repo.js';
import type { InboxFacts } from '../events/service.js';
import type { JobService } from '../jobs/service.js';
import type { MarkTagJob } from '../tags/mark-tag-job.js';
import type { TimelineRepo } from '../timeline/repo.js';
import { WELCOME_WINDOW_MS, welcomeSourceKey, type SendWelcomeJob } from '../welcome/send-job.js';
import type { ChannelRepo, ChannelRow } from './repo.js';
import type { ChannelService } from './service.js';

/**
 * What a new customer triggers, after the contact is synced (events worker): resolve the channel from `State`,
 * attribute the follow, count the add toward the rep's daily cap, record it on the timeline, and enqueue the
 * tagging and welcome jobs — in the transaction that stores the synced profile (database work only). The timeline
 * item keyed by the relation marks the intake as done, and the jobs are keyed by the event's idempotency key, so a
 * replayed event changes nothing.
 */
export function createChannelIntake(deps: {
  events: Pick<EventRepo, 'get'>;
  channels: Pick<ChannelService, 'findByState' | 'countAdd' | 'dayOf'>;
  repo: Pick<ChannelRepo, 'setFollowChannel' | 'recordMovement'>;
  follows: Pick<ContactRepo, 'findFollow'>;
  timeline: Pick<TimelineRepo, 'add'>;
  jobs: Pick<JobService, 'enqueue'>;
  markTagJob: MarkTagJob;
  sendWelcomeJob: SendWelcomeJob;
  now?: () => number;
}) {
  const now = deps.now ?? Date.now;

  /** The add counts for its channel: the follow's channel, the channel's figures and daily cap, its tags. */
  async function attribute(
    tx: Executor,
    a: {
      corpId: string;
      userId: string;
      externalUserId: string;
      channel: ChannelRow;
      eventId: number;
      intakeKey: string;
      receivedAt: number;
      dedupeKey: string;
    },
  ): Promise<void> {
    const { corpId, userId, externalUserId, channel } = a;
    await deps.repo.setFollowChannel(tx, corpId, userId, externalUserId, channel.id);
    await deps.repo.recordMovement(tx, {
      corpId,
      userId,
      externalUserId,
      channelId: channel.id,
      kind: 'add',
      at: a.receivedAt,
      sourceKey: a.intakeKey,
    });
    await deps.channels.countAdd(tx, corpId, channel, userId, deps.channels.dayOf(a.receivedAt));
    if (channel.tagIds.length === 0) return;
    const payload = { eventId: a.eventId, userId, externalUserId, channelId: channel.id, tagIds: channel.tagIds };
    await deps.jobs.enqueue(tx, deps.markTagJob, payload, { corpId, dedupeKey: a.dedupeKey });
  }

  return {
    async afterContactAdded(
      tx: Executor,
      corpId: string,
      e: ExternalContactEvent,
      eventId: number,
      facts?: InboxFacts,
    ): Promise<void> {
      const inbox = facts ?? (await deps.events.get(tx, eventId));
      const receivedAt = inbox?.receivedAt ?? now();
      const dedupeKey = inbox?.idempotencyKey ?? `event:${eventId}`;
      const state = e.state ?? '';
      const common = { corpId, externalUserId: e.externalUserId, userId: e.userId };

      // Read in the transaction: the cap is decided on the channel's dailyCap as committed with this count.
      const channel = state ? await deps.channels.findByState(corpId, state, tx) : undefined;
      const addedText = channel
        ? `通过渠道活码「${channel.name}」添加`
        : state
          ? `通过未知渠道标识「${state}」添加，使用默认欢迎语`
          : '添加为客户（未经渠道活码）';

      // One intake per relation, not per event: WeCom may report one add twice, as add_half_external_contact (with
      // the WelcomeCode) and later add_external_contact (without). The relation's creation time tells them apart
      // from a real re-add after a deletion.
      const addedAt = (await deps.follows.findFollow(tx, corpId, e.userId, e.externalUserId))?.addedAt;
      const intakeKey =
        addedAt === undefined ? `event:${eventId}:added` : `follow:${e.userId}:${e.externalUserId}:${addedAt}:added`;

      const first = await deps.timeline.add(tx, {
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

      if (channel) await attribute(tx, { ...common, channel, eventId, intakeKey, receivedAt, dedupeKey });

      if (!e.welcomeCode) {
        await deps.timeline.add(tx, {
          ...common,
          kind: 'welcome_skipped',
          content: '欢迎语未发送：事件未携带 WelcomeCode（客户已与员工聊过，或管理后台已为该员工配置欢迎语）',
          payload: { channelId: channel?.id ?? null, reason: 'no_welcome_code' },
          sourceKey: welcomeSourceKey(eventId),
          occurredAt: receivedAt,
        });
        return;
      }
      const payload = {
        eventId,
        userId: e.userId,
        externalUserId: e.externalUserId,
        welcomeCode: e.welcomeCode,
        channelId: channel?.id ?? null,
        addedAt: receivedAt,
      };
      await deps.jobs.enqueue(tx, deps.sendWelcomeJob, payload, {
        corpId,
        dedupeKey,
        deadlineAt: receivedAt + WELCOME_WINDOW_MS,
      });
    },
  };
}
export type ChannelIntake = ReturnType<typeof createChannelIntake>;
