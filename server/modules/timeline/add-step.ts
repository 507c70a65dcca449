import type { Executor } from '../../db/database.js';
import type { TimelineKind, TimelineRepo } from './repo.js';

/** The part of a job payload that says which add a step belongs to. */
export interface AddStepSubject {
  eventId: number;
  userId: string;
  externalUserId: string;
  channelId: number | null;
}

/**
 * Records the outcome of one step of taking in an add (tagging, the welcome) on the customer's timeline, once:
 * the step's source key is derived from the add event, so a retried or re-run job records nothing new. Pass the
 * `tx` that records the step's other effects, or the database for a statement of its own.
 */
export function addStepRecorder(
  timeline: Pick<TimelineRepo, 'add'>,
  sourceKeyOf: (eventId: number) => string,
  now: () => number,
) {
  return async (
    ex: Executor,
    corpId: string,
    subject: AddStepSubject,
    kind: TimelineKind,
    content: string,
    payload: Record<string, unknown> = {},
  ): Promise<void> => {
    await timeline.add(ex, {
      corpId,
      externalUserId: subject.externalUserId,
      userId: subject.userId,
      kind,
      content,
      payload: { channelId: subject.channelId, ...payload },
      sourceKey: sourceKeyOf(subject.eventId),
      occurredAt: now(),
    });
  };
}
