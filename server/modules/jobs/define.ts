import type { Static, TSchema } from 'typebox';
import type { Outcome } from '../../worker/runner.js';

/** What a job's handler knows about the job it runs. */
export interface JobContext {
  id: number;
  corpId: string;
  dedupeKey: string;
  /** 1 on the first run. */
  attempts: number;
  deadlineAt: number | null;
}

/** A kind of durable job: its payload schema (validated on enqueue and on run) and what running it does. */
export interface JobDefinition<P = unknown> {
  kind: string;
  schema: TSchema;
  /** Throw to let the retry policy decide, or return an explicit outcome. */
  handler(job: JobContext, payload: P): Promise<Outcome>;
  /** Called when a job of this kind is failed for having passed its deadline, e.g. to record why. */
  onDeadlinePassed?(job: JobContext, payload: P): Promise<void>;
  /** Jobs of one lane run one at a time, in enqueue order, across instances (e.g. one channel code's rotation). */
  lane?(corpId: string, payload: P): string | null;
  /** Attempts before giving up (default 8). */
  maxAttempts?: number;
}

/**
 * Declares a job kind. `P` is the payload's type, derived from its TypeBox schema, so a handler never casts:
 * `defineJob('mark_tag', Type.Object({ userId: Type.String() }), async (job, p) => …)`.
 */
export function defineJob<S extends TSchema>(
  kind: string,
  schema: S,
  handler: JobDefinition<Static<S>>['handler'],
  options: Omit<JobDefinition<Static<S>>, 'kind' | 'schema' | 'handler'> = {},
): JobDefinition<Static<S>> {
  return { kind, schema, handler, ...options };
}
