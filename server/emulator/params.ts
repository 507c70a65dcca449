import { fail } from './errcodes.js';

/**
 * Readers for WeCom request bodies and queries. They throw EmulatedApiError with the code WeCom uses for a bad
 * parameter (40058 unless the caller passes a more specific one), so route handlers stay declarative.
 */

export type Json = Record<string, unknown>;

/** Marks a request body that was not valid JSON: WeCom answers 47001. */
export const INVALID_JSON: unique symbol = Symbol('invalid-json');

export function bodyObject(body: unknown): Json {
  if (body === INVALID_JSON) fail('dataFormatError');
  if (body === undefined || body === null || body === '') return {};
  if (typeof body !== 'object' || Array.isArray(body) || Buffer.isBuffer(body)) fail('dataFormatError');
  return body as Json;
}

export function optString(o: Json, key: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return fail('invalidParameter', `${key} must be a string`);
}

export function reqString(o: Json, key: string): string {
  const v = optString(o, key);
  if (v === undefined || v === '') fail('invalidParameter', `missing ${key}`);
  return v;
}

/** Numbers may arrive as numbers or numeric strings (WeCom accepts both). */
export function optInt(o: Json, key: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n)) fail('invalidParameter', `${key} must be an integer`);
  return n;
}

export function optBool(o: Json, key: string): boolean | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  if (v === 0 || v === 1) return v === 1;
  return fail('invalidParameter', `${key} must be a boolean`);
}

export function optStringArray(o: Json, key: string): string[] | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string'))
    fail('invalidParameter', `${key} must be a list of strings`);
  return v as string[];
}

export function optIntArray(o: Json, key: string): number[] | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) fail('invalidParameter', `${key} must be a list of integers`);
  return v.map((x) => {
    const n = typeof x === 'number' ? x : typeof x === 'string' && /^\d+$/.test(x) ? Number(x) : NaN;
    if (!Number.isInteger(n)) fail('invalidParameter', `${key} must be a list of integers`);
    return n;
  });
}

export function optObject(o: Json, key: string): Json | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) fail('invalidParameter', `${key} must be an object`);
  return v as Json;
}

/** Length in characters as a person counts them (code points), which is how WeCom states its limits. */
export function charLength(s: string): number {
  return [...s].length;
}

/** Paging cursor: an opaque string that is, here, the decimal offset. */
export function parseCursor(cursor: string | undefined): number {
  if (!cursor) return 0;
  if (!/^\d{1,9}$/.test(cursor)) fail('invalidParameter', 'invalid cursor');
  return Number(cursor);
}
