import { normalizeApiPath } from './call-log.js';
import { EmulatorInputError } from './errcodes.js';

export interface FaultInput {
  /** API path, e.g. `/cgi-bin/externalcontact/get` (the `/emulator` prefix is accepted and dropped). */
  path: string;
  /** How many of the next calls of that path are affected. */
  count: number;
  /** Answer with this errcode instead of the real result. */
  errcode?: number;
  errmsg?: string;
  /** Hold the answer this long (real time) before responding. */
  delayMs?: number;
}

export interface Fault {
  path: string;
  remaining: number;
  errcode: number | null;
  errmsg: string | null;
  delayMs: number;
}

const MAX_DELAY_MS = 60_000;

/** Validates an untrusted fault description (from POST /_faults or a test). */
export function parseFault(input: unknown): FaultInput {
  if (!input || typeof input !== 'object' || Array.isArray(input)) {
    throw new EmulatorInputError('fault must be a JSON object { path, count, errcode?, errmsg?, delayMs? }');
  }
  const o = input as Record<string, unknown>;
  if (typeof o.path !== 'string' || !normalizeApiPath(o.path).startsWith('/cgi-bin/')) {
    throw new EmulatorInputError('path must be a WeCom API path such as /cgi-bin/externalcontact/get');
  }
  if (typeof o.count !== 'number' || !Number.isInteger(o.count) || o.count < 1 || o.count > 1000) {
    throw new EmulatorInputError('count must be an integer from 1 to 1000');
  }
  if (o.errcode !== undefined && (typeof o.errcode !== 'number' || !Number.isInteger(o.errcode) || o.errcode === 0)) {
    throw new EmulatorInputError('errcode must be a non-zero integer');
  }
  if (o.errmsg !== undefined && typeof o.errmsg !== 'string') throw new EmulatorInputError('errmsg must be a string');
  if (
    o.delayMs !== undefined &&
    (typeof o.delayMs !== 'number' || !Number.isFinite(o.delayMs) || o.delayMs < 0 || o.delayMs > MAX_DELAY_MS)
  ) {
    throw new EmulatorInputError(`delayMs must be a number from 0 to ${MAX_DELAY_MS}`);
  }
  if (o.errcode === undefined && (o.delayMs === undefined || o.delayMs === 0)) {
    throw new EmulatorInputError('a fault needs an errcode, a delayMs, or both');
  }
  return {
    path: o.path,
    count: o.count,
    errcode: o.errcode as number | undefined,
    errmsg: o.errmsg as string | undefined,
    delayMs: o.delayMs as number | undefined,
  };
}

/** Injected failures, consumed first-in first-out per path. */
export class FaultTable {
  private faults: Fault[] = [];

  add(input: FaultInput): void {
    const f = parseFault(input);
    this.faults.push({
      path: normalizeApiPath(f.path),
      remaining: f.count,
      errcode: f.errcode ?? null,
      errmsg: f.errmsg ?? null,
      delayMs: f.delayMs ?? 0,
    });
  }

  /** The fault that applies to this call, if any; uses up one of its count. */
  take(path: string): Fault | undefined {
    const fault = this.faults.find((f) => f.path === path && f.remaining > 0);
    if (!fault) return undefined;
    fault.remaining -= 1;
    this.faults = this.faults.filter((f) => f.remaining > 0);
    return { ...fault };
  }

  list(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  clear(): void {
    this.faults = [];
  }
}
