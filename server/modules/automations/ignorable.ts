/**
 * Whether a customer's message needs an answer (pure). 好的, 谢谢, 👌, a sticker: a message made only of the ignore
 * words, punctuation, emoji and WeChat's bracketed emoji codes ([OK], [微笑]) does not start the reply clock.
 * Anything else does, including a picture or a file (they usually ask for something).
 */

/** Message types that say nothing to answer: a sticker, a recalled message, an agree/disagree record. */
const SILENT_TYPES = new Set(['emotion', 'revoke', 'agree', 'disagree', 'switch']);

const PUNCTUATION_OR_SPACE = /[\p{P}\p{S}\p{Z}\s~～]+/gu;
const EMOJI = /\p{Extended_Pictographic}|\p{Emoji_Modifier}|\u200d|\ufe0f|\u20e3/gu;
/** WeChat writes its built-in emoji as codes in text: [微笑], [OK], [抱拳] … */
const WECHAT_EMOJI_CODE = /\[[^[\]\s]{1,4}\]/gu;

export function compileIgnoreWords(words: string[]): (type: string, text: string) => boolean {
  // Longest first, so 好的谢谢 goes before 好的 leaves 谢谢 behind (either way it ends empty, but it is cheaper).
  const list = [...new Set(words.map((w) => w.trim().toLowerCase()).filter(Boolean))].sort(
    (a, b) => b.length - a.length,
  );
  return (type: string, text: string) => {
    if (SILENT_TYPES.has(type)) return true;
    if (type !== 'text') return false;
    // A question mark asks for an answer, even alone (？ = "are you there?").
    if (/[?？]/.test(text)) return false;
    let rest = text.toLowerCase();
    for (const word of list) if (rest.includes(word)) rest = rest.split(word).join(' ');
    rest = rest.replace(WECHAT_EMOJI_CODE, ' ').replace(EMOJI, ' ').replace(PUNCTUATION_OR_SPACE, '');
    return rest === '';
  };
}
