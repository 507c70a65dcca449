/** A script (话术) as the engine sees it: the text fields it matches on. Ids are strings (a database id, stringified). */
export interface ScriptDoc {
  id: string;
  title: string;
  /** The group's name (开场问候, 价格优惠…). */
  group?: string;
  /** The text sent, or the caption / description of an image, link or mini-program card. */
  content?: string;
  /** Keywords a manager attached to the script, if any. */
  keywords?: readonly string[];
  kind?: 'text' | 'image' | 'link' | 'miniprogram';
}

/** One learning event: the customer said `message`, and a rep then sent script `scriptId`, at `at` (ms since epoch). */
export interface LearnEvent {
  message: string;
  scriptId: string;
  at: number;
}

/**
 * A learned pair as the engine keeps it and as the product persists it (append-only; `weight` is 1 when learned and
 * is multiplied by the factor `upsertScript` returns when the script is later edited substantially).
 */
export interface LearnedPair extends LearnEvent {
  weight: number;
}

/** Everything the engine learned, serialisable as JSON; the scripts themselves come from the product's database. */
export interface LearnedState {
  version: 1;
  pairs: LearnedPair[];
}

export interface Suggestion {
  scriptId: string;
  /** 0..1, comparable across queries (the abstention threshold applies to it). */
  score: number;
  /** Why, for the rep, in Chinese: 匹配「运费」「包邮」, 同事常这样回复, 结合上文「扫地机器人」. */
  reason: string;
  /** Which evidence ranked it: the script's own text, what colleagues sent, or both. */
  source: 'text' | 'learned' | 'both';
}

export interface SuggestInput {
  /** The customer's recent messages, oldest first; the last one is the message to answer. */
  messages: readonly string[];
  /** Scoring time (ms since epoch) for the decay of learned pairs; defaults to now. */
  now?: number;
  /** At most this many suggestions (default 3). */
  limit?: number;
}

export interface SearchHit {
  scriptId: string;
  score: number;
  /** The words that matched, for highlighting. */
  matched: string[];
}

export interface EngineOptions {
  /** Half-life of a learned pair's weight, in days (default 90). */
  halfLifeDays?: number;
  /** Minimum score of a suggestion (default calibrated on a labelled set; see README of the engine). */
  threshold?: number;
}
