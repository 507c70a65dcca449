import { UpstreamError, type AppError } from '../errors.js';
import { WecomApiError, WecomNetworkError } from '../wecom/errors.js';

/**
 * Runs a WeCom call made for a user request. WeCom's refusals become typed errors: the ones `known` maps get their
 * own (a name already taken → 409 …), everything else is a 502 carrying the errcode, never the errmsg's hints.
 */
export async function callWecom<T>(call: () => Promise<T>, known: Record<number, () => AppError> = {}): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof WecomApiError) {
      const mapped = known[err.errcode];
      if (mapped) throw mapped();
      throw new UpstreamError(`企业微信接口调用失败（错误码 ${err.errcode}）`, { errcode: err.errcode });
    }
    if (err instanceof WecomNetworkError) throw new UpstreamError('无法连接企业微信，请稍后重试', { errcode: -1 });
    throw err;
  }
}
