import { Type } from 'typebox';
import type { Database, Executor } from '../../db/database.js';
import type { ConsentStatus } from '../../db/schema/messages.js';
import type { WecomResponse } from '../../wecom/types.js';
import { defineJob } from '../jobs/define.js';
import type { JobService } from '../jobs/service.js';
import type { ArchiveRepo } from './repo.js';

/** What check_single_agree answers per pair (wecom-protocol.md §6.1). */
interface AgreeInfo {
  userid: string;
  exteranalopenid: string;
  agree_status: string;
  status_change_time: number;
}

export interface CheckSingleAgree {
  (
    corpId: string,
    pairs: Array<{ userid: string; exteranalopenid: string }>,
  ): Promise<WecomResponse & { agreeinfo?: AgreeInfo[] }>;
}

const STATUS: Record<string, ConsentStatus> = {
  Agree: 'agree',
  Disagree: 'disagree',
  Default_Agree: 'default_agree',
};
/** check_single_agree takes at most 100 pairs. */
const PAIRS_PER_CALL = 100;
const RECHECK_AFTER_MS = 24 * 3600_000;

/**
 * Whether each customer agreed to have their chats with a rep archived: `agree` on WeCom's msg_audit_approved
 * event and on the customer's agree record in the archive, `disagree` on a disagree record, and WeCom's own answer
 * (check_single_agree) for pairs we have not heard about — first seen in a chat or added as a customer — asked
 * in the background, a hundred pairs a call.
 */
export function createConsent(deps: {
  db: Database;
  repo: ArchiveRepo;
  jobs: Pick<JobService, 'enqueue'>;
  checkSingleAgree: CheckSingleAgree;
  configured: () => boolean;
  now: () => number;
}) {
  const { db, repo } = deps;

  const checkJob = defineJob(
    'archive_consent_check',
    Type.Object({ reason: Type.String() }),
    async (job) => {
      let checked = 0;
      for (;;) {
        const pairs = await repo.pairsToCheck(db, job.corpId, deps.now() - RECHECK_AFTER_MS, PAIRS_PER_CALL);
        if (pairs.length === 0) break;
        const answer = await deps.checkSingleAgree(
          job.corpId,
          pairs.map((p) => ({ userid: p.userId, exteranalopenid: p.externalUserId })),
        );
        const byPair = new Map((answer.agreeinfo ?? []).map((a) => [`${a.userid}\n${a.exteranalopenid}`, a]));
        await db.tx(async (tx) => {
          const at = deps.now();
          for (const p of pairs) {
            const info = byPair.get(`${p.userId}\n${p.externalUserId}`);
            await repo.setConsent(tx, {
              corpId: job.corpId,
              ...p,
              status: (info && STATUS[info.agree_status]) ?? 'unknown',
              changedAt: info?.status_change_time ? info.status_change_time * 1000 : null,
              checkedAt: at,
              source: 'check',
              at,
            });
          }
        });
        checked += pairs.length;
        if (pairs.length < PAIRS_PER_CALL) break;
      }
      return { kind: 'done', result: `${checked} pairs checked` };
    },
    { lane: (corpId) => `archive-consent:${corpId}`, maxAttempts: 5 },
  );

  return {
    checkJob,

    /** Pairs of a stored batch or a new customer: new ones are asked about in the background. */
    async notePairs(
      ex: Executor,
      corpId: string,
      pairs: Array<{ userId: string; externalUserId: string }>,
      key: string,
    ) {
      if (!deps.configured()) return;
      const unique = [...new Map(pairs.map((p) => [`${p.userId}\n${p.externalUserId}`, p])).values()];
      if ((await repo.notePairs(ex, corpId, unique, deps.now())) === 0) return;
      await deps.jobs.enqueue(ex, checkJob, { reason: key }, { corpId, dedupeKey: key });
    },

    /** The customer's choice as an agree/disagree record or WeCom's msg_audit_approved event says. */
    async record(
      ex: Executor,
      c: {
        corpId: string;
        userId: string;
        externalUserId: string;
        status: 'agree' | 'disagree';
        at: number;
        source: string;
      },
    ) {
      await repo.setConsent(ex, { ...c, changedAt: c.at, checkedAt: null, at: deps.now() });
    },
  };
}
export type Consent = ReturnType<typeof createConsent>;
