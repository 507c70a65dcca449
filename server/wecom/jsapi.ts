/**
 * JS-SDK signatures for the chat-toolbar sidebar (wecom-protocol.md §5.2). `ww.register` asks the server for a
 * `config` signature (corp jsapi_ticket) and an `agentConfig` signature (the app's agent_config ticket); the
 * formula is the same, only the ticket differs. Tickets are rate-limited (≤ 400/h per corp, ≤ 100/h per app), so
 * each is cached until shortly before expiry with one fetch in flight.
 */
import { randomBytes } from 'node:crypto';
import { getJsApiSignature } from '@wecom/crypto';
import type { WecomApi } from './api.js';
import { earlyExpiryMs } from './token-cache.js';

export interface JsapiSignature {
  /** Unix seconds. */
  timestamp: number;
  nonceStr: string;
  signature: string;
}

/** sha1("jsapi_ticket=…&noncestr=…&timestamp=…&url=…"), the URL without its `#fragment` and not re-encoded. */
export function signJsapi(input: {
  ticket: string;
  nonceStr: string;
  timestamp: number | string;
  url: string;
}): string {
  // The library substitutes random values for empty ones; an empty input here is a bug, so refuse it.
  if (!input.ticket || !input.nonceStr || !input.timestamp || !input.url) {
    throw new TypeError('signJsapi needs a ticket, nonceStr, timestamp and url');
  }
  const url = input.url.split('#', 1)[0] ?? input.url;
  return getJsApiSignature({ ticket: input.ticket, nonceStr: input.nonceStr, timestamp: input.timestamp, url })
    .signature;
}

const NONCE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function defaultNonce(): string {
  return Array.from(randomBytes(16), (byte) => NONCE_ALPHABET[byte % NONCE_ALPHABET.length]).join('');
}

interface CachedTicket {
  ticket: string;
  expiresAt: number;
}

type TicketKind = 'corp' | 'agent';

export class JsapiSigner {
  readonly corpId: string;
  readonly agentId: string | number;
  private readonly api: Pick<WecomApi, 'getJsapiTicket' | 'getAgentConfigTicket'>;
  private readonly now: () => number;
  private readonly randomNonce: () => string;
  private readonly cached = new Map<TicketKind, CachedTicket>();
  private readonly inFlight = new Map<TicketKind, Promise<string>>();

  constructor(options: {
    corpId: string;
    agentId: string | number;
    api: Pick<WecomApi, 'getJsapiTicket' | 'getAgentConfigTicket'>;
    now?: () => number;
    randomNonce?: () => string;
  }) {
    this.corpId = options.corpId;
    this.agentId = options.agentId;
    this.api = options.api;
    this.now = options.now ?? Date.now;
    this.randomNonce = options.randomNonce ?? defaultNonce;
  }

  /** For `ww.register({ getConfigSignature })` (wx.config, corp ticket). */
  async configSignature(url: string): Promise<JsapiSignature> {
    return this.sign(await this.ticket('corp'), url);
  }

  /** For `ww.register({ getAgentConfigSignature })` (wx.agentConfig, agent_config ticket of this app). */
  async agentConfigSignature(url: string): Promise<JsapiSignature> {
    return this.sign(await this.ticket('agent'), url);
  }

  /** Forget the cached tickets, e.g. after the app secret changed. */
  reset(): void {
    this.cached.clear();
  }

  private sign(ticket: string, url: string): JsapiSignature {
    const timestamp = Math.floor(this.now() / 1000);
    const nonceStr = this.randomNonce();
    return { timestamp, nonceStr, signature: signJsapi({ ticket, nonceStr, timestamp, url }) };
  }

  private ticket(kind: TicketKind): Promise<string> {
    const cached = this.cached.get(kind);
    if (cached && this.now() < cached.expiresAt) return Promise.resolve(cached.ticket);
    let pending = this.inFlight.get(kind);
    if (!pending) {
      pending = Promise.resolve()
        .then(() => (kind === 'corp' ? this.api.getJsapiTicket() : this.api.getAgentConfigTicket()))
        .then(({ ticket, expires_in }) => {
          const expiresIn = Number.isFinite(expires_in) && expires_in > 0 ? expires_in : 7200;
          this.cached.set(kind, { ticket, expiresAt: this.now() + expiresIn * 1000 - earlyExpiryMs(expiresIn) });
          return ticket;
        })
        .finally(() => this.inFlight.delete(kind));
      this.inFlight.set(kind, pending);
    }
    return pending;
  }
}
