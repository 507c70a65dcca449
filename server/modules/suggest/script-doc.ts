import type { ScriptDoc } from './engine/index.js';
import type { LearnedPairRow, LiveScript } from './repo.js';
import type { LearnedPair } from './engine/index.js';

const PLACEHOLDERS = /\{(客户昵称|员工姓名)\}/g;

/**
 * A script as the engine indexes it: title, group and the words a customer reads — the text, or the caption of an
 * image and the caption, card title and description of a link. Placeholders are left out: a customer writing 昵称
 * asks about nicknames, not about every script that greets them by name.
 */
export function scriptDoc({ script, groupName }: LiveScript): ScriptDoc {
  const payload = script.payload;
  const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
  const parts = [script.content.trim()];
  if (script.kind === 'link') parts.push(str(payload.title), str(payload.desc));
  const content = [...new Set(parts.filter((p) => p !== ''))].join('\n').replace(PLACEHOLDERS, '');
  return { id: String(script.id), title: script.title, group: groupName, content, kind: script.kind };
}

/** A stored pair as the engine loads it. */
export function learnedPair(row: LearnedPairRow): LearnedPair {
  return { message: row.message, scriptId: String(row.scriptId), at: row.at, weight: row.weightPpm / 1_000_000 };
}
