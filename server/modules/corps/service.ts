import type { SecretBox } from '../../db/secret-box.js';
import type { CorpRepo } from './repo.js';

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
 * Knows every corp this deployment serves. Secrets are sealed in the database and opened once
 * into memory, so the callback hot path never touches the cipher.
 */
export function createCorpService(deps: { repo: CorpRepo; box: SecretBox }) {
  const cache = new Map<string, Corp>();

  function open(corpId: string): Corp | undefined {
    const row = deps.repo.find(corpId);
    if (!row) return undefined;
    return {
      corpId: row.corpId,
      name: row.name,
      agentId: row.agentId,
      secret: deps.box.open(row.secretSealed),
      token: deps.box.open(row.tokenSealed),
      encodingAesKey: deps.box.open(row.encodingAesKeySealed),
    };
  }

  return {
    /** Registers (or updates) a corp from configuration. */
    register(corp: Corp): void {
      deps.repo.upsert({
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
      const hit = cache.get(corpId);
      if (hit) return hit;
      const corp = open(corpId);
      if (corp) cache.set(corpId, corp);
      return corp;
    },
    ids(): string[] {
      return deps.repo.listIds();
    },
  };
}
export type CorpService = ReturnType<typeof createCorpService>;
