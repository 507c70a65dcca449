import { newOpaqueToken } from './ids.js';

/** access_token, jsapi_ticket and agent_config ticket lifetime, as WeCom's `expires_in`. */
export const TOKEN_TTL_SECONDS = 7200;
/** OAuth `code`: single use, 5 minutes [D-96442]. */
export const OAUTH_CODE_TTL_MS = 5 * 60 * 1000;
/** WelcomeCode: usable within 20 s of the event, once [D-92599]. */
export const WELCOME_CODE_TTL_MS = 20 * 1000;

export type TokenCheck = 'ok' | 'missing' | 'unknown' | 'expired';

interface Expiring {
  expiresAt: number;
}

export interface OAuthCodeRecord extends Expiring {
  userid: string;
  scope: string;
  used: boolean;
}

export interface WelcomeCodeRecord extends Expiring {
  code: string;
  userid: string;
  externalUserId: string;
  issuedAt: number;
  usedAt: number | null;
}

export type WelcomeCodeCheck =
  | { status: 'ok'; record: WelcomeCodeRecord }
  | { status: 'used'; record: WelcomeCodeRecord }
  | { status: 'expired'; record: WelcomeCodeRecord }
  | { status: 'unknown' };

/**
 * Short-lived credentials the emulator hands out. Kept in memory only: after a restart the client's cached token
 * is unknown (40014), which makes it fetch a new one — exactly what WeCom clients must cope with anyway.
 */
export class Credentials {
  private readonly tokens = new Map<string, Expiring>();
  private readonly tickets = new Map<string, Expiring & { kind: 'jsapi' | 'agent_config' }>();
  private readonly oauthCodes = new Map<string, OAuthCodeRecord>();
  private readonly welcomeCodes = new Map<string, WelcomeCodeRecord>();

  constructor(private readonly nowMs: () => number) {}

  issueToken(): { token: string; expiresIn: number } {
    const token = newOpaqueToken(64);
    this.tokens.set(token, { expiresAt: this.nowMs() + TOKEN_TTL_SECONDS * 1000 });
    return { token, expiresIn: TOKEN_TTL_SECONDS };
  }

  checkToken(token: string | undefined): TokenCheck {
    if (!token) return 'missing';
    const found = this.tokens.get(token);
    if (!found) return 'unknown';
    return found.expiresAt <= this.nowMs() ? 'expired' : 'ok';
  }

  /** Every issued token expires now (they stay known, so they answer 42001 rather than 40014). */
  expireAllTokens(): number {
    const now = this.nowMs();
    for (const t of this.tokens.values()) t.expiresAt = Math.min(t.expiresAt, now);
    return this.tokens.size;
  }

  issueTicket(kind: 'jsapi' | 'agent_config'): { ticket: string; expiresIn: number } {
    const ticket = newOpaqueToken(86);
    this.tickets.set(ticket, { kind, expiresAt: this.nowMs() + TOKEN_TTL_SECONDS * 1000 });
    return { ticket, expiresIn: TOKEN_TTL_SECONDS };
  }

  /** Whether `ticket` was issued for `kind` and is still valid (lets a fake JS-SDK check signatures). */
  isValidTicket(ticket: string, kind: 'jsapi' | 'agent_config'): boolean {
    const found = this.tickets.get(ticket);
    return !!found && found.kind === kind && found.expiresAt > this.nowMs();
  }

  issueOAuthCode(userid: string, scope: string): string {
    const code = newOpaqueToken(43);
    this.oauthCodes.set(code, { userid, scope, used: false, expiresAt: this.nowMs() + OAUTH_CODE_TTL_MS });
    return code;
  }

  /** Consumes a code: valid once, within 5 minutes. */
  redeemOAuthCode(code: string): OAuthCodeRecord | null {
    const found = this.oauthCodes.get(code);
    if (!found || found.used || found.expiresAt <= this.nowMs()) return null;
    found.used = true;
    return { ...found };
  }

  issueWelcomeCode(userid: string, externalUserId: string): string {
    const code = newOpaqueToken(43);
    const now = this.nowMs();
    this.welcomeCodes.set(code, {
      code,
      userid,
      externalUserId,
      issuedAt: now,
      usedAt: null,
      expiresAt: now + WELCOME_CODE_TTL_MS,
    });
    return code;
  }

  checkWelcomeCode(code: string): WelcomeCodeCheck {
    const record = this.welcomeCodes.get(code);
    if (!record) return { status: 'unknown' };
    if (record.usedAt !== null) return { status: 'used', record: { ...record } };
    if (record.expiresAt <= this.nowMs()) return { status: 'expired', record: { ...record } };
    return { status: 'ok', record: { ...record } };
  }

  markWelcomeCodeUsed(code: string): void {
    const record = this.welcomeCodes.get(code);
    if (record) record.usedAt = this.nowMs();
  }
}
