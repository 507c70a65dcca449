import { PINYIN, SIMPLIFIED, TRADITIONAL } from './char-tables.js';

const toSimplified = new Map<string, string>();
for (let i = 0; i < TRADITIONAL.length; i++) toSimplified.set(TRADITIONAL[i]!, SIMPLIFIED[i]!);

const pinyinOf = new Map<string, string>();
for (const line of PINYIN) {
  const colon = line.indexOf(':');
  const syllable = line.slice(0, colon);
  for (const ch of line.slice(colon + 1)) pinyinOf.set(ch, syllable);
}

/** WeChat's built-in emoticons arrive as text: [微笑], [捂脸], [OK]. */
const WECHAT_EMOTICON = /\[[\p{Script=Han}A-Za-z]{1,4}\]/gu;
const EMOJI = /\p{Extended_Pictographic}|\p{Emoji_Modifier}|\u{FE0F}|\u{200D}|\u{20E3}/gu;
/** Kaomoji and other decoration: anything that is not a letter, digit, Han character or sentence punctuation. */
const DECORATION = /[^\p{Script=Han}\p{L}\p{N}\s,.!?;:~，。！？；：、～…'"“”‘’()（）\-+/%¥$@#&*=<>]/gu;

/**
 * One normalised form for every text the engine sees (customer messages, scripts, queries): NFKC (full-width →
 * half-width, compatibility forms), lower case, traditional → simplified characters, emoji and WeChat emoticons
 * removed, runs of a repeated character or pair cut to two (好好好好 → 好好, 在吗在吗在吗 → 在吗), whitespace
 * collapsed.
 */
export function normalizeText(input: string): string {
  let text = input.normalize('NFKC').toLowerCase();
  text = text.replace(WECHAT_EMOTICON, ' ').replace(EMOJI, ' ').replace(DECORATION, ' ');
  let out = '';
  for (const ch of text) out += toSimplified.get(ch) ?? ch;
  out = out.replace(/(.)\1{2,}/gu, '$1$1');
  out = out.replace(/(\p{Script=Han}{2})\1+/gu, '$1');
  out = out.replace(/([,.!?;:~，。！？；：、～…])\1+/gu, '$1');
  return out.replace(/\s+/g, ' ').trim();
}

/** True when the text holds no letter, digit or Han character once normalised (emoji only, punctuation only). */
export function isContentless(normalized: string): boolean {
  return !/[\p{Script=Han}\p{L}\p{N}]/u.test(normalized);
}

/** Toneless pinyin of a Han character, undefined for characters outside the table. */
export function pinyinOfChar(ch: string): string | undefined {
  return pinyinOf.get(ch);
}

/** Toneless pinyin key of a Han string ("运费" → "yun fei"); undefined when a character has no known reading. */
export function pinyinKey(word: string): string | undefined {
  const parts: string[] = [];
  for (const ch of word) {
    const p = pinyinOf.get(ch);
    if (!p) return undefined;
    parts.push(p);
  }
  return parts.join(' ');
}

export function isHan(ch: string): boolean {
  return /\p{Script=Han}/u.test(ch);
}
