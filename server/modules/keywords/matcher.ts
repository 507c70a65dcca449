import type { MessageDirection } from '../../db/schema/messages.js';

/** A keyword rule ready to match: words lower case, patterns compiled. */
export interface CompiledRule {
  id: number;
  words: string[];
  patterns: RegExp[];
  direction: 'customer' | 'rep' | 'both';
  scope: 'single' | 'group' | 'both';
}

/** What a rule looks at in a message. */
export interface MatchSubject {
  text: string;
  direction: MessageDirection;
  /** single, group or internal (internal chats are never matched: rules are about customers). */
  conversationKind: string | null;
}

const MAX_PATTERN = 200;
/** A group that repeats and holds a repetition ((a+)+, (a|aa)*): the shapes that backtrack exponentially. */
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)\s*[+*{]/;

/** Why a pattern cannot be used (in Chinese, for the admin), or null. */
export function patternProblem(pattern: string): string | null {
  if (pattern.length > MAX_PATTERN) return `正则表达式不能超过 ${MAX_PATTERN} 个字符`;
  if (NESTED_QUANTIFIER.test(pattern)) return `正则表达式 ${pattern} 含嵌套的重复（如 (a+)+），匹配可能极慢`;
  try {
    new RegExp(pattern, 'iu');
  } catch (err) {
    return `正则表达式 ${pattern} 无效：${(err as Error).message}`;
  }
  return null;
}

export function compileRule(rule: {
  id: number;
  words: string[];
  patterns: string[];
  direction: CompiledRule['direction'];
  scope: CompiledRule['scope'];
}): CompiledRule {
  return {
    id: rule.id,
    words: rule.words.map((w) => w.toLowerCase()).filter(Boolean),
    // A stored pattern that no longer compiles (edited by hand) matches nothing rather than stopping ingestion.
    patterns: rule.patterns.flatMap((p) => (patternProblem(p) === null ? [new RegExp(p, 'iu')] : [])),
    direction: rule.direction,
    scope: rule.scope,
  };
}

/** The word or matched text that makes `rule` fire on the message, or null. */
export function matchRule(rule: CompiledRule, m: MatchSubject, lowerText = m.text.toLowerCase()): string | null {
  if (m.conversationKind !== 'single' && m.conversationKind !== 'group') return null;
  if (rule.scope !== 'both' && rule.scope !== m.conversationKind) return null;
  if (m.direction === 'internal') return null;
  if (rule.direction === 'customer' && m.direction !== 'customer_to_rep') return null;
  if (rule.direction === 'rep' && m.direction !== 'rep_to_customer') return null;
  for (const word of rule.words) if (lowerText.includes(word)) return word;
  for (const pattern of rule.patterns) {
    const found = pattern.exec(m.text);
    if (found) return found[0].slice(0, 100);
  }
  return null;
}
