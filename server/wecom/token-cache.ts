/**
 * Access tokens, cached per (corpId, secret) and shared by every client of a process.
 *
 * WeCom rate-limits gettoken and tokens are per app secret, so: one cached token per key, one in-flight refresh per
 * key (concurrent callers await the same promise), and tokens retired early because WeCom may invalidate them
 * before `expires_in`.
 */
import { createHash } from 'node:crypto';

/** Retire a token this long before WeCom's expiry: 10% of its lifetime, at most 5 minutes. */
export function earlyExpiryMs(expiresInSeconds: number): number {
  return Math.min(5 * 60_000, expiresInSeconds * 100);
}

export interface FetchedToken {
  token: string;
  /** Seconds, as WeCom's `expires_in`. */
  expiresIn: number;
}

interface Entry {
  token: string;
  expiresAt: number;
}

export class TokenCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<string>>();
  private readonly now: () => number;

  constructor(options: { now?: () => number } = {}) {
    this.now = options.now ?? Date.now;
  }

  /** The cache key; the secret is hashed so it is never held as a readable map key. */
  static keyOf(corpId: string, secret: string): string {
    return `${corpId}:${createHash('sha256').update(secret).digest('hex').slice(0, 32)}`;
  }

  /** A still-valid cached token, or undefined. */
  peek(key: string): string | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (this.now() >= entry.expiresAt) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.token;
  }

  set(key: string, fetched: FetchedToken): void {
    const lifetimeMs = fetched.expiresIn * 1000;
    this.entries.set(key, {
      token: fetched.token,
      expiresAt: this.now() + lifetimeMs - earlyExpiryMs(fetched.expiresIn),
    });
  }

  /**
   * Drops the cached token. With `token`, only if it is still the cached one: a caller that saw 42001 on an old
   * token must not throw away the fresh token another caller just fetched.
   */
  invalidate(key: string, token?: string): void {
    const entry = this.entries.get(key);
    if (entry && (token === undefined || entry.token === token)) this.entries.delete(key);
  }

  /** The cached token, or the result of one shared `fetchToken()` call for all concurrent callers. */
  get(key: string, fetchToken: () => Promise<FetchedToken>): Promise<string> {
    const cached = this.peek(key);
    if (cached !== undefined) return Promise.resolve(cached);
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = Promise.resolve()
        .then(fetchToken)
        .then((fetched) => {
          this.set(key, fetched);
          return fetched.token;
        })
        .finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }
}
