import { Type } from 'typebox';
import type { Executor } from '../../db/database.js';
import type { SessionUser } from '../auth/session-service.js';
import type { ContactRepo } from '../contacts/repo.js';
import type { ModuleContext } from '../context.js';
import type { DirectoryService } from '../directory/service.js';
import { defineJob } from '../jobs/define.js';
import type { ModuleManifest } from '../manifest.js';
import type { ChatReader } from './chat.js';
import { createEngineCache } from './engines.js';
import { createSuggestRepo } from './repo.js';
import { suggestRoutes } from './routes.js';
import { createSuggestService } from './service.js';

/** Messages per archive-learning job. */
const ARCHIVE_BATCH = 500;

/**
 * Suggested replies (话术推荐): one engine per corp in each instance, learning from what reps send, the sidebar's
 * answers and feedback, and the ranked script search. The scripts module reports its changes and sends through
 * `service.hooks`; the messages store reports stored messages through `onMessagesStored` (see README.md).
 */
export function createSuggestModule(
  ctx: ModuleContext,
  deps: {
    requireFollower: (user: SessionUser, externalUserId: string) => Promise<unknown>;
    contacts: Pick<ContactRepo, 'findContact'>;
    directory: Pick<DirectoryService, 'findRep'>;
    /** The chat tables' reader; null until the chat archive is wired (GET suggestions then answer nothing). */
    chat: ChatReader | null;
    /** The language model's HTTP client (tests). */
    fetch?: typeof fetch;
  },
) {
  const repo = createSuggestRepo(ctx.db);
  const engines = createEngineCache({ db: ctx.db, repo, log: ctx.log });
  const service = createSuggestService({
    db: ctx.db,
    repo,
    engines,
    chat: deps.chat,
    requireFollower: deps.requireFollower,
    names: {
      customer: async (corpId, externalUserId) =>
        (await deps.contacts.findContact(ctx.db, corpId, externalUserId))?.name ?? '',
      rep: async (corpId, userId) => (await deps.directory.findRep(corpId, userId))?.name ?? '',
    },
    llm: ctx.config.llm,
    fetch: deps.fetch,
    now: ctx.now,
    log: ctx.log,
  });

  const learnArchiveJob = defineJob(
    'suggest_learn_archive',
    Type.Object({ messageIds: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: ARCHIVE_BATCH }) }),
    async (job, payload) => {
      const learned = await service.learnFromArchive(job.corpId, payload.messageIds);
      return { kind: 'done', result: `${learned} pairs learned` };
    },
    // One batch at a time per corp, across instances: learning is background work, and a large import queues
    // hundreds of batches that would otherwise take every worker slot (an open chat's archive pull waited behind
    // them) and race each other on the same learned pairs.
    { lane: (corpId) => `suggest-learn:${corpId}` },
  );

  /**
   * The archive's ingest hook: call it in the transaction that stores a batch of messages, with the new rows' ids.
   * The matching (which needs the corp's engine) runs afterwards in a durable job, never in the ingest.
   */
  async function learnFromArchive(ex: Executor, corpId: string, messageIds: number[]): Promise<void> {
    const ids = [...new Set(messageIds)].sort((a, b) => a - b);
    for (let i = 0; i < ids.length; i += ARCHIVE_BATCH) {
      const batch = ids.slice(i, i + ARCHIVE_BATCH);
      await ctx.jobs.enqueue(
        ex,
        learnArchiveJob,
        { messageIds: batch },
        {
          corpId,
          dedupeKey: `suggest-archive:${batch[0]}`,
        },
      );
    }
  }

  /**
   * The messages store's hook (its `onStored`): of a stored batch, the reps' typed text replies from the archive are
   * matched against the scripts (sends from the sidebar taught when they were sent).
   */
  async function onMessagesStored(
    ex: Executor,
    corpId: string,
    stored: Array<{ id: number; message: { source: string; direction: string; type: string } }>,
  ): Promise<void> {
    const replies = stored.filter(
      (s) => s.message.source === 'archive' && s.message.direction === 'rep_to_customer' && s.message.type === 'text',
    );
    if (replies.length > 0)
      await learnFromArchive(
        ex,
        corpId,
        replies.map((s) => s.id),
      );
  }

  const manifest: ModuleManifest = {
    name: 'suggest',
    routes: [
      async (app) => {
        await app.register(suggestRoutes, { service });
        // In production, the default corp's engine is built once the server is up (in the background, in slices),
        // so the first rep to open a chat does not wait for it. Tests and other corps build on first use.
        if (ctx.config.backgroundJobs) {
          app.addHook('onReady', async () => {
            setImmediate(() => {
              engines.current(ctx.defaultCorpId()).catch((err: unknown) => {
                ctx.log.warn({ err }, 'could not prepare the suggestion engine');
              });
            });
          });
        }
      },
    ],
    jobs: [learnArchiveJob],
  };
  return { manifest, service, repo, hooks: service.hooks, learnFromArchive, onMessagesStored };
}
export type SuggestModule = ReturnType<typeof createSuggestModule>;
