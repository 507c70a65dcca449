import type { FastifyBaseLogger } from 'fastify';
import type { Database } from '../../db/database.js';
import { createSuggestionEngine, warmUp, type SuggestionEngine } from './engine/index.js';
import type { ScriptChangeKind, SuggestRepo } from './repo.js';
import { learnedPair, scriptDoc } from './script-doc.js';

/** A corp's engine in this instance, and the corp version it reflects. */
export interface CorpEngine {
  readonly engine: SuggestionEngine;
  version: number;
  /** Answers already computed at `version` (see the service), dropped whenever the version moves. */
  readonly results: Map<string, unknown>;
}

/** Pairs loaded per turn of the event loop while an engine is built (tens of milliseconds of CPU each). */
const LOAD_CHUNK = 1_000;
/** Several changes of one script in a catch-up: a deletion wins, then a rebuild, then a re-index. */
const STRENGTH: Record<ScriptChangeKind, number> = { upsert: 0, resync: 1, delete: 2 };
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * One suggestion engine per corp in this instance: built on first use from the corp's live scripts and stored
 * pairs, then kept current incrementally. Before answering, `current` reads the corp's version (one primary-key
 * read); when another instance, or this one, changed something, it applies only what changed since — new pairs,
 * and scripts created, edited or deleted — in version order. The version counter orders the writers (see
 * server/db/schema/suggest.ts), so catching up never misses a change committed before the version it read.
 */
export function createEngineCache(deps: { db: Database; repo: SuggestRepo; log: FastifyBaseLogger }) {
  const { db, repo } = deps;
  const engines = new Map<string, Promise<CorpEngine>>();
  /** Per corp: the catch-up running now, and the one queued behind it (shared by everyone who asked meanwhile). */
  const polls = new Map<string, { running: Promise<void> | null; next: Promise<void> | null }>();
  let warmedUp = false;

  async function build(corpId: string): Promise<CorpEngine> {
    if (!warmedUp) {
      warmUp();
      warmedUp = true;
    }
    // One snapshot: the version and everything up to it.
    const snapshot = await db.tx(async (tx) => {
      const version = await repo.version(tx, corpId);
      const scripts = await repo.liveScripts(tx, corpId);
      const pairs = await repo.pairsBetween(tx, corpId, 0, version);
      return { version, scripts, pairs };
    });
    const engine = createSuggestionEngine({ scripts: snapshot.scripts.map(scriptDoc) });
    // A large corp's pairs take seconds of CPU to index: in slices, so other requests keep being served.
    for (let i = 0; i < snapshot.pairs.length; i += LOAD_CHUNK) {
      if (i > 0) await nextTurn();
      engine.loadLearned({ version: 1, pairs: snapshot.pairs.slice(i, i + LOAD_CHUNK).map(learnedPair) });
    }
    deps.log.debug(
      { corpId, scripts: engine.scriptCount, pairs: snapshot.pairs.length, version: snapshot.version },
      'suggestion engine built',
    );
    return { engine, version: snapshot.version, results: new Map() };
  }

  /** Applies every change after `entry.version`. */
  async function catchUp(corpId: string, entry: CorpEngine): Promise<void> {
    const version = await repo.version(db, corpId);
    if (version <= entry.version) return;
    const changes = await repo.scriptChangesBetween(db, corpId, entry.version, version);
    const pairs = await repo.pairsBetween(db, corpId, entry.version, version);

    // Per script, what its changes amount to: deleted, rebuilt from its stored pairs, or re-indexed.
    const kinds = new Map<number, ScriptChangeKind>();
    for (const c of changes) {
      const before = kinds.get(c.scriptId);
      if (before === undefined || STRENGTH[c.kind] > STRENGTH[before]) kinds.set(c.scriptId, c.kind);
    }
    const live = new Map(
      (await repo.liveScriptsByIds(db, corpId, [...kinds.keys()])).map((row) => [row.script.id, row]),
    );
    const { engine } = entry;
    const rebuilt = new Set<number>();
    for (const [id, kind] of kinds) {
      const row = live.get(id);
      if (kind === 'delete' || !row) {
        engine.removeScript(String(id));
        continue;
      }
      const doc = scriptDoc(row);
      // An edit whose learning the writer kept: re-indexing it here must come to the same factor (1).
      if (kind === 'upsert' && engine.upsertScript(doc).learnedFactor === 1) continue;
      // Discounted (or an unexpected factor): rebuild the script from its stored pairs, which are exact.
      engine.removeScript(String(id));
      engine.upsertScript(doc);
      engine.loadLearned({ version: 1, pairs: (await repo.pairsOfScript(db, corpId, id, version)).map(learnedPair) });
      rebuilt.add(id);
    }
    engine.loadLearned({
      version: 1,
      pairs: pairs.filter((p) => !rebuilt.has(p.scriptId)).map(learnedPair),
    });
    entry.version = version;
    entry.results.clear();
  }

  /** Catches up once more after whatever is running: whoever asks gets a catch-up that started after they asked. */
  function poll(corpId: string, entry: CorpEngine): Promise<void> {
    let state = polls.get(corpId);
    if (!state) polls.set(corpId, (state = { running: null, next: null }));
    const s = state;
    if (s.next) return s.next;
    const next = (s.running ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => {
        s.next = null;
        const running = catchUp(corpId, entry);
        s.running = running;
        return running.finally(() => {
          if (s.running === running) s.running = null;
        });
      });
    s.next = next;
    return next;
  }

  function loaded(corpId: string): Promise<CorpEngine> {
    let entry = engines.get(corpId);
    if (!entry) {
      entry = build(corpId);
      engines.set(corpId, entry);
      // A failed build is retried by the next request.
      entry.catch(() => engines.delete(corpId));
    }
    return entry;
  }

  return {
    /** The corp's engine, current with everything committed before the call. */
    async current(corpId: string): Promise<CorpEngine> {
      const entry = await loaded(corpId);
      await poll(corpId, entry);
      return entry;
    },

    /** After a commit that changed what engines know: this instance catches up now (if it has the engine). */
    refresh(corpId: string): void {
      const entry = engines.get(corpId);
      if (!entry) return;
      void entry
        .then((e) => poll(corpId, e))
        .catch((err: unknown) => deps.log.warn({ err, corpId }, 'suggestion engine catch-up failed'));
    },

    /** The engine this instance has built for the corp, if any (without waiting or reading). */
    async peek(corpId: string): Promise<CorpEngine | undefined> {
      return engines.has(corpId) ? engines.get(corpId) : undefined;
    },
  };
}
export type EngineCache = ReturnType<typeof createEngineCache>;
