import { Type, type Static, type TObjectOptions, type TProperties, type TStringOptions } from 'typebox';

/** The body of every error answer (see server/plugins/error-handler.ts). */
export const ErrorBody = Type.Object({
  error: Type.String(),
  message: Type.String(),
  requestId: Type.String(),
  field: Type.Optional(Type.String()),
});
export type ErrorBody = Static<typeof ErrorBody>;

export const HealthBody = Type.Object({ status: Type.Literal('ok') });
export type HealthBody = Static<typeof HealthBody>;

// ---- request inputs -------------------------------------------------------------------------------------------------

/**
 * An object a client sends (body, query, params, and every object inside them): a field the schema does not name is
 * refused with 400 `未知字段：daily_cap`, never silently dropped or ignored. Every request schema is built with it
 * (server/plugins/strict-input.ts refuses a route whose input schema allows unknown fields).
 */
export function InputObject<T extends TProperties>(properties: T, options: TObjectOptions = {}) {
  return Type.Object(properties, { ...options, additionalProperties: false });
}

/**
 * An integer or null in a request. One JSON-schema type list rather than anyOf: the validator coerces types, and
 * with anyOf [integer, null] it would turn 0 into null (a daily cap of 0 became "no cap") and null into 0.
 */
export const NullableInteger = (options: { minimum?: number; maximum?: number } = {}) =>
  Type.Unsafe<number | null>({ type: ['integer', 'null'], ...options });

/**
 * Inputs whose sender is WeCom, not our clients (callback and OAuth redirect query strings): WeCom may add a
 * parameter at any time, and refusing it would lose callbacks or sign-ins that nobody can retry with a fixed
 * request. Kept in this one set so the strict-input check and its test list them explicitly.
 */
export const WECOM_SENT_INPUTS = new WeakSet<object>();

export function WecomSentObject<T extends TProperties>(properties: T) {
  const schema = Type.Object(properties, { additionalProperties: true });
  WECOM_SENT_INPUTS.add(schema);
  return schema;
}

/**
 * What a `pattern` means, in words a user reads: the error handler says `state 只能包含字母、数字、下划线和连字符`
 * instead of quoting a regular expression. Filled by PatternString.
 */
const PATTERN_HINTS = new Map<string, string>();

export function patternHint(pattern: string): string | undefined {
  return PATTERN_HINTS.get(pattern);
}

/** A string with a pattern and the Chinese sentence that explains it (after the field name). */
export function PatternString(pattern: string, hint: string, options: TStringOptions = {}) {
  PATTERN_HINTS.set(pattern, hint);
  return Type.String({ ...options, pattern });
}

/**
 * No C0/C1 control characters (NUL, line breaks, escape …): nothing a person types into a search box or a one-line
 * field contains them, and SQLite's LIKE reads its pattern only up to a NUL, so `q=%00` became `%` and matched
 * everything.
 */
export const NO_CONTROL_CHARACTERS = '^[^\\u0000-\\u001F\\u007F-\\u009F]*$';

/** One line of text a user sends: no control characters, at most `maxLength` characters. */
function OneLineText(options: TStringOptions & { maxLength: number }) {
  return PatternString(NO_CONTROL_CHARACTERS, '不能包含控制字符', options);
}

/** Text a user types to search (`q`). Every search parameter uses it. */
export const SearchText = OneLineText;

/** Any other free text in a query string (cursors, return paths). */
export const QueryText = OneLineText;
