import type { Outcome } from '../../worker/runner.js';
import type { JobRepo, JobRow, NewJob } from './repo.js';

/** Runs one job; throw to let the retry policy decide, or return an explicit outcome. */
export type JobHandler = (job: JobRow, payload: unknown) => Promise<Outcome>;

export interface JobKindOptions {
  /** Called (synchronously) when a job of this kind is failed for having passed its deadline, e.g. to record why. */
  onDeadlinePassed?(job: JobRow, payload: unknown): void;
}

/**
 * Durable outgoing work (calls to WeCom). Domains register a handler per kind and enqueue jobs,
 * typically inside the same transaction that records why the work is needed.
 */
export function createJobService(deps: { repo: JobRepo; onEnqueued?: () => void; now?: () => number }) {
  const handlers = new Map<string, JobHandler>();
  const kindOptions = new Map<string, JobKindOptions>();
  const now = deps.now ?? Date.now;
  let wake = deps.onEnqueued ?? (() => {});

  return {
    register(kind: string, handler: JobHandler, options: JobKindOptions = {}): void {
      if (handlers.has(kind)) throw new Error(`a handler for job kind ${kind} is already registered`);
      handlers.set(kind, handler);
      kindOptions.set(kind, options);
    },
    enqueue(job: Omit<NewJob, 'runAt'> & { runAt?: number }): number | null {
      const id = deps.repo.enqueue({ ...job, runAt: job.runAt ?? now() });
      if (id !== null) wake();
      return id;
    },
    /** Set by the worker plugin once its runner exists. */
    onEnqueued(fn: () => void): void {
      wake = fn;
    },
    async run(job: JobRow): Promise<Outcome> {
      if (job.deadlineAt !== null && now() > job.deadlineAt) {
        kindOptions.get(job.kind)?.onDeadlinePassed?.(job, JSON.parse(job.payload));
        return { kind: 'failed', error: 'deadline passed before the job could run' };
      }
      const handler = handlers.get(job.kind);
      if (!handler) return { kind: 'failed', error: `no handler for job kind ${job.kind}` };
      return handler(job, JSON.parse(job.payload));
    },
  };
}
export type JobService = ReturnType<typeof createJobService>;
