import { randomBytes } from 'node:crypto';

/**
 * The `state` of a channel code: WeCom echoes it as `State` in the add event, so it is how an add is traced back to
 * its channel. WeCom allows ≤ 30 characters; we keep it URL- and log-safe.
 */
export const MAX_STATE_LENGTH = 30;
export const STATE_PATTERN = /^[A-Za-z0-9_-]+$/;

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
// 248 = 4 × 62: bytes at or above it are dropped so every character is equally likely.
const UNBIASED_LIMIT = 248;

/** `ch` + 10 base62 characters (~59 bits): collisions are practically impossible, and still checked by the caller. */
export function generateState(random: (size: number) => Buffer = randomBytes): string {
  let out = 'ch';
  while (out.length < 12) {
    for (const byte of random(16)) {
      if (byte >= UNBIASED_LIMIT) continue;
      out += BASE62[byte % 62];
      if (out.length === 12) break;
    }
  }
  return out;
}

/** Why a state an admin typed is unusable, or null when it is fine. */
export function stateProblem(state: string): string | null {
  if (state.length === 0) return '渠道标识不能为空';
  if (state.length > MAX_STATE_LENGTH) return `渠道标识最多 ${MAX_STATE_LENGTH} 个字符`;
  if (!STATE_PATTERN.test(state)) return '渠道标识只能包含字母、数字、下划线和连字符';
  return null;
}
