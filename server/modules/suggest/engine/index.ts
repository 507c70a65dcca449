/**
 * The suggestion engine (issue "Suggested replies"): pure TypeScript, no database and no web framework. The product
 * keeps one `SuggestionEngine` per corp, built with `createSuggestionEngine({ scripts, learned })`, and calls
 * `suggest`, `search`, `learn`, `upsertScript`, `removeScript`, `exportLearned`.
 */
export { createSuggestionEngine, DEFAULT_THRESHOLD, SuggestionEngine } from './engine.js';
export { analyze, generalIdfOf, warmUp, type Analysis } from './analyze.js';
export { normalizeText, pinyinKey } from './normalize.js';
export {
  createLlmReranker,
  rerankerFromEnv,
  suggestWithReranker,
  type LlmRerankerOptions,
  type Reranker,
} from './llm-reranker.js';
export type {
  EngineOptions,
  LearnedPair,
  LearnedState,
  LearnEvent,
  ScriptDoc,
  SearchHit,
  Suggestion,
  SuggestInput,
} from './types.js';
