import type { Database } from '../../db/database.js';
import type { SecretBox } from '../../db/secret-box.js';
import type { CorpRepo, CorpRow } from './repo.js';

/** A corp with its secrets opened; lives only in memory. */
export interface Corp {
  corpId: string;
  name: string;
  agentId: number;
  secret: string;
  token: string;
  encodingAesKey: string;
}

/**
 * Knows every corp this deployment serves. Secrets are sealed in the database and opened once into memory at
 * start, so the callback hot path looks a corp up without touching the database or the cipher.
 */
export function createCorpService(deps: { db: Database; repo: CorpRepo; box: SecretBox }) {
  const cache = new Map<string, Corp>();

  const open = (row: CorpRow): Corp => ({
    corpId: row.corpId,
    name: row.name,
    agentId: row.agentId,
    secret: deps.box.open(row.secretSealed),
    token: deps.box.open(row.tokenSealed),
    encodingAesKey: deps.box.open(row.encodingAesKeySealed),
  });

  return {
    /** The at-rest box, for other secrets that belong to a corp (group robot keys, webhook signing secrets). */
    secretBox: deps.box,
    /** Opens every stored corp into memory. */
    async load(): Promise<void> {
      for (const row of await deps.repo.all(deps.db)) cache.set(row.corpId, open(row));
    },
    /** Registers (or updates) a corp from configuration. */
    async register(corp: Corp): Promise<void> {
      await deps.repo.upsert(deps.db, {
        corpId: corp.corpId,
        name: corp.name,
        agentId: corp.agentId,
        secretSealed: deps.box.seal(corp.secret),
        tokenSealed: deps.box.seal(corp.token),
        encodingAesKeySealed: deps.box.seal(corp.encodingAesKey),
      });
      cache.set(corp.corpId, { ...corp });
    },
    find(corpId: string): Corp | undefined {
      return cache.get(corpId);
    },
    ids(): string[] {
      return [...cache.keys()];
    },
  };
}
export type CorpService = ReturnType<typeof createCorpService>;
