/**
 * Welcome-message placeholders (pure). A template names the customer and the rep with `{客户昵称}` and `{员工姓名}`;
 * rendering is one pass over the template, so a customer who calls themself "{员工姓名}" stays literally that, and
 * nothing in a name is ever interpreted (no `$&`, no nested expansion).
 */

export const PLACEHOLDERS = {
  customerName: '{客户昵称}',
  repName: '{员工姓名}',
} as const;

export interface WelcomeVars {
  customerName: string;
  repName: string;
}

/** send_welcome_msg accepts at most 4000 bytes of text [D-92599]. */
export const MAX_WELCOME_TEXT_BYTES = 4000;
/** A substituted name longer than this is cut: WeCom nicknames are short, a longer one is noise or abuse. */
const MAX_VALUE_CHARS = 64;

const PLACEHOLDER_PATTERN = /\{(客户昵称|员工姓名)\}/g;
// C0/C1 controls, bidi overrides and zero-width characters: invisible in a chat bubble, useful only to mislead.
const UNSAFE_CHARS = /[\p{Cc}\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]+/gu;

/** A name as it may appear inside a message: one line, no invisible characters, bounded length. */
export function sanitizeName(value: string): string {
  const clean = value.replace(UNSAFE_CHARS, ' ').replace(/\s+/g, ' ').trim();
  return [...clean].slice(0, MAX_VALUE_CHARS).join('');
}

/** Cuts `text` to at most `maxBytes` UTF-8 bytes without splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  let out = '';
  let bytes = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (bytes + size > maxBytes) break;
    out += ch;
    bytes += size;
  }
  return out;
}

/** Replaces the placeholders; an unknown `{…}` is left as written. The result fits WeCom's text limit. */
export function renderWelcomeText(template: string, vars: WelcomeVars): string {
  const values: Record<string, string> = {
    客户昵称: sanitizeName(vars.customerName),
    员工姓名: sanitizeName(vars.repName),
  };
  const rendered = template.replace(PLACEHOLDER_PATTERN, (_match, name: string) => values[name] ?? '');
  return truncateUtf8(rendered, MAX_WELCOME_TEXT_BYTES);
}
