import { FIRST_REPLY_BANDS } from '../../db/schema/stats.js';

/** Number of first-reply bands (the last is open: more than an hour). */
export const BAND_COUNT = FIRST_REPLY_BANDS.length + 1;
/** `frt00` … `frt23`. */
export const BAND_COLUMNS = Array.from({ length: BAND_COUNT }, (_, i) => `frt${String(i).padStart(2, '0')}`);

/** The rep-day figures the rollup keeps (rep_daily's columns, by JavaScript name). */
export interface RepDayFigures {
  conversations: number;
  messagesSent: number;
  customerMessages: number;
  questions: number;
  answered: number;
  questionsInHours: number;
  answeredIn3m: number;
  /** Answered questions per first-reply band. */
  bands: number[];
  scriptsSent: number;
  suggestionsShown: number;
  suggestionsSent: number;
  suggestionsEdited: number;
  suggestionsIgnored: number;
  notesWritten: number;
}

export const emptyRepDay = (): RepDayFigures => ({
  conversations: 0,
  messagesSent: 0,
  customerMessages: 0,
  questions: 0,
  answered: 0,
  questionsInHours: 0,
  answeredIn3m: 0,
  bands: new Array<number>(BAND_COUNT).fill(0),
  scriptsSent: 0,
  suggestionsShown: 0,
  suggestionsSent: 0,
  suggestionsEdited: 0,
  suggestionsIgnored: 0,
  notesWritten: 0,
});

/** Adds `b` into `a` (figures are sums, bands included). */
export function addRepDay(a: RepDayFigures, b: RepDayFigures): RepDayFigures {
  for (const k of Object.keys(a) as (keyof RepDayFigures)[]) {
    if (k === 'bands') a.bands = a.bands.map((n, i) => n + (b.bands[i] ?? 0));
    else a[k] += b[k];
  }
  return a;
}

/**
 * A percentile of the first-reply times from the band histogram, in seconds (nearest rank, read at the middle of
 * the rank's share of its band: a band of one reply answers its middle). The open band (over an hour) answers its
 * lower bound. Null without replies.
 */
export function bandPercentile(bands: readonly number[], p: number): number | null {
  const total = bands.reduce((s, n) => s + n, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(p * total));
  let before = 0;
  for (let i = 0; i < bands.length; i++) {
    const n = bands[i]!;
    if (before + n >= rank) {
      const low = i === 0 ? 0 : FIRST_REPLY_BANDS[i - 1]!;
      const high = FIRST_REPLY_BANDS[i];
      if (high === undefined) return low;
      return Math.round(low + ((high - low) * (rank - before - 0.5)) / n);
    }
    before += n;
  }
  return null;
}

export const share = (count: number, of: number) => ({ count, of, rate: of === 0 ? null : count / of });
