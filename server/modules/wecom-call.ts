import { UpstreamError, type AppError } from '../errors.js';
import { WecomApiError, WecomNetworkError } from '../wecom/errors.js';

/**
 * WeCom's refusal of a call, reduced to what the user may learn (the errcode, or that WeCom was unreachable). Plain
 * data, so a call made by a job on any instance can hand it to the request waiting for that job.
 */
export type WecomRefusal = { errcode: number } | { unreachable: true };

type Known = Record<number, () => AppError>;

/** The refusal `err` stands for, or null when `err` is not a WeCom error. */
export function wecomRefusal(err: unknown): WecomRefusal | null {
  if (err instanceof WecomApiError) return { errcode: err.errcode };
  if (err instanceof WecomNetworkError) return { unreachable: true };
  return null;
}

/**
 * The error a user request gets for a refusal: the ones `known` maps get their own (a name already taken → 409 …),
 * everything else is a 502 carrying the errcode, never the errmsg's hints.
 */
export function refusalError(refusal: WecomRefusal, known: Known = {}): AppError {
  if ('unreachable' in refusal) return new UpstreamError('无法连接企业微信，请稍后重试', { errcode: -1 });
  const mapped = known[refusal.errcode];
  if (mapped) return mapped();
  return new UpstreamError(`企业微信接口调用失败（错误码 ${refusal.errcode}）`, { errcode: refusal.errcode });
}

/** Runs a WeCom call made for a user request; WeCom's refusals become typed errors (see refusalError). */
export async function callWecom<T>(call: () => Promise<T>, known: Known = {}): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const refusal = wecomRefusal(err);
    if (refusal) throw refusalError(refusal, known);
    throw err;
  }
}
