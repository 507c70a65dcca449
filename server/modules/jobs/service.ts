import { Compile } from 'typebox/compile';
import type { Database, Executor } from '../../db/database.js';
import type { Outcome } from '../../worker/runner.js';
import type { JobContext, JobDefinition } from './define.js';
import type { JobRepo, JobRow } from './repo.js';

export interface EnqueueOptions {
  corpId: string;
  dedupeKey: string;
  runAt?: number;
  deadlineAt?: number | null;
}

type Validator = ReturnType<typeof Compile>;

/**
 * Durable jobs. Modules declare kinds with defineJob and enqueue them, typically inside the transaction that records
 * why the work is needed; payloads are checked against the kind's schema on the way in and on the way out.
 */
export function createJobService(deps: { db: Database; repo: JobRepo; now?: () => number }) {
  const kinds = new Map<string, { def: JobDefinition<never>; validator: Validator }>();
  const now = deps.now ?? Date.now;
  let wake: () => void = () => {};

  function kindOf(kind: string) {
    const entry = kinds.get(kind);
    if (!entry) throw new Error(`job kind ${kind} is not registered`);
    return entry;
  }

  function problems(validator: Validator, payload: unknown): string | null {
    if (validator.Check(payload)) return null;
    return [...validator.Errors(payload)].map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
  }

  return {
    /** The clock jobs are scheduled with (the app's, injectable in tests): the runner claims and retries by it too. */
    now: () => now(),

    register(def: JobDefinition<never>): void {
      if (kinds.has(def.kind)) throw new Error(`job kind ${def.kind} is already registered`);
      kinds.set(def.kind, { def, validator: Compile(def.schema) });
    },

    /** Enqueues a job (a no-op when the same dedupe key exists); returns its id, or null when it existed. */
    async enqueue<P>(ex: Executor, def: JobDefinition<P>, payload: P, options: EnqueueOptions): Promise<number | null> {
      const problem = problems(kindOf(def.kind).validator, payload);
      if (problem) throw new TypeError(`invalid ${def.kind} payload: ${problem}`);
      const id = await deps.repo.enqueue(ex, {
        corpId: options.corpId,
        kind: def.kind,
        dedupeKey: options.dedupeKey,
        payload,
        lane: def.lane?.(options.corpId, payload) ?? null,
        runAt: options.runAt ?? now(),
        deadlineAt: options.deadlineAt ?? null,
        maxAttempts: def.maxAttempts,
      });
      if (id !== null) deps.db.afterCommit(() => wake());
      return id;
    },

    /** Set by the worker once its runner exists. */
    onEnqueued(fn: () => void): void {
      wake = fn;
    },

    async run(job: JobRow): Promise<Outcome> {
      const entry = kinds.get(job.kind);
      if (!entry) return { kind: 'failed', error: `no handler for job kind ${job.kind}` };
      const problem = problems(entry.validator, job.payload);
      if (problem) return { kind: 'failed', error: `invalid payload: ${problem}` };
      const context: JobContext = {
        id: job.id,
        corpId: job.corpId,
        dedupeKey: job.dedupeKey,
        attempts: job.attempts,
        deadlineAt: job.deadlineAt,
      };
      const payload = job.payload as never;
      if (job.deadlineAt !== null && now() > job.deadlineAt) {
        await entry.def.onDeadlinePassed?.(context, payload);
        return { kind: 'failed', error: 'deadline passed before the job could run' };
      }
      return entry.def.handler(context, payload);
    },
  };
}
export type JobService = ReturnType<typeof createJobService>;
