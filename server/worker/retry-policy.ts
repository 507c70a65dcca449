import { WecomApiError, WecomNetworkError } from '../wecom/errors.js';
import type { Outcome } from './runner.js';

export interface RetryPolicy {
  maxAttempts: number;
  backoffBaseMs: number;
  maxBackoffMs: number;
}

/** Exponential backoff with ±20 % jitter so a burst of failures does not retry in lockstep. */
export function backoffDelay(attempt: number, policy: RetryPolicy): number {
  const base = Math.min(policy.maxBackoffMs, policy.backoffBaseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

export function describeError(err: unknown): string {
  if (err instanceof WecomApiError) return `WeCom ${err.path} errcode ${err.errcode}: ${err.errmsg}`;
  if (err instanceof Error) return err.message;
  return String(err);
}

/**
 * Final WeCom errors (84061 no such relation, 48002 no permission …) fail at once; token, rate-limit,
 * busy and network problems are retried; anything unexpected is retried too, bounded by maxAttempts.
 */
export function outcomeOfError(err: unknown, attempt: number, policy: RetryPolicy): Outcome {
  const error = describeError(err);
  if ((err instanceof WecomApiError || err instanceof WecomNetworkError) && !err.retryable)
    return { kind: 'failed', error };
  if (!(err instanceof WecomApiError) && !(err instanceof WecomNetworkError) && isProgrammingError(err)) {
    return { kind: 'failed', error };
  }
  return capAttempts({ kind: 'retry', error, delayMs: backoffDelay(attempt, policy) }, attempt, policy.maxAttempts);
}

/** A retry past the last attempt becomes a failure, so nothing is retried forever. */
export function capAttempts(outcome: Outcome, attempt: number, maxAttempts: number): Outcome {
  if (outcome.kind === 'retry' && attempt >= maxAttempts) {
    return { kind: 'failed', error: `${outcome.error} (gave up after ${attempt} attempts)` };
  }
  return outcome;
}

function isProgrammingError(err: unknown): boolean {
  return err instanceof TypeError || err instanceof RangeError || err instanceof SyntaxError;
}
