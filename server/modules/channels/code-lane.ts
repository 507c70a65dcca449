import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Type } from 'typebox';
import type { Database, Executor } from '../../db/database.js';
import { isUniqueViolation } from '../../db/errors.js';
import { AppError, ConflictError, NotFoundError } from '../../errors.js';
import type { WecomApi } from '../../wecom/api.js';
import { WecomNetworkError } from '../../wecom/errors.js';
import type { Outcome } from '../../worker/runner.js';
import { UpdateChannelBody } from '../../../shared/schemas/channels.js';
import { defineJob, type JobContext } from '../jobs/define.js';
import type { JobService } from '../jobs/service.js';
import type { WelcomeService } from '../welcome/service.js';
import { refusalError, wecomRefusal, type WecomRefusal } from '../wecom-call.js';
import { patchOf, repRows, rowPatch, storedInput, wecomRemark, welcomeOf } from './channel-input.js';
import { localDay } from './local-day.js';
import type { ChannelRepo } from './repo.js';
import { repsOnCode, sameReps } from './rotation.js';

type ContactWayApi = Pick<WecomApi, 'updateContactWay' | 'delContactWay'>;

/** How long an admin request waits for its write to come up in the channel's lane before it gives up. */
const WRITE_WINDOW_MS = 15_000;
/** Instances' clocks may differ a little: a job still pending this long after its deadline will never run. */
const CLOCK_SKEW_MS = 2_000;
/** A write that started runs at most a WeCom timeout (and a lease takeover); past this the outcome is unknown. */
const RUNNING_LIMIT_MS = 60_000;

/**
 * Why a write through the lane did not happen, in the job's `last_error`, for the admin request waiting for it (any
 * instance may have run the job): `channel code write: WeCom errcode 40096`, `… WeCom unreachable`, `… state taken`.
 */
const FAILURE_PREFIX = 'channel code write: ';
const NOT_FOUND = 'channel deleted';
const STATE_TAKEN = 'state taken';
const NAME_TAKEN = 'name taken';
const UNREACHABLE = 'WeCom unreachable';
const failed = (reason: string): Outcome => ({ kind: 'failed', error: `${FAILURE_PREFIX}${reason}` });
const refused = (refusal: WecomRefusal) =>
  failed('unreachable' in refusal ? UNREACHABLE : `WeCom errcode ${refusal.errcode}`);

export const stateTaken = () => new ConflictError('渠道标识已被使用，请换一个');
export const nameInUse = () => new ConflictError('渠道名称已存在');
export const channelNotFound = () => new NotFoundError('渠道活码不存在');
const busy = () => new AppError(503, 'channel_busy', '渠道活码正在与企业微信同步，请稍后重试');
const outcomeUnknown = () => new AppError(503, 'channel_busy', '企业微信未及时响应，请稍后刷新查看是否已修改');

const ChannelRef = Type.Object({ channelId: Type.Integer() });

/**
 * Every write to an existing channel's WeCom 「联系我」 code goes through one job lane per channel, `channel:<id>`:
 * rotation pushes after a rep reaches the daily cap or is put back, an admin's edit, the deletion. Jobs of a lane run
 * one at a time across all instances, in enqueue order (server/db/queue.ts), so two writes to one code never
 * overlap. A rotation push does not carry the rotation it was asked for: it reads the channel as committed when it
 * runs and pushes that, and whatever changes the rotation enqueues a push in the same transaction, so the last push
 * to land is always the current rotation, never an older one. No version column is needed for that: the lane is the
 * only writer to WeCom, and the database the only source of what it writes.
 *
 * The admin API still answers with WeCom's own error: an edit or a deletion enqueues its job (with a deadline) and
 * the request waits for the job's outcome in the database, whichever instance ran it. WeCom is written first, then
 * the database (nothing is stored when WeCom refuses). When WeCom may have applied an edit we did not store (a
 * timeout, a state taken meanwhile), a push of the stored config follows in the lane to put WeCom back in step. A
 * job that could not start in time fails unrun (the jobs module checks the deadline), so a request that gave up
 * never sees its change land later. Creating a code needs no lane: nothing else can write to a code not yet stored.
 *
 * Limits: the lane relies on the job's lease (renewed while it runs) outliving the WeCom call (5 s timeout); an
 * instance stalled longer than the lease could overlap with the next job. A push that WeCom keeps refusing with a
 * retryable error holds the lane through its backoff, and edits meanwhile answer 503 (nothing changed).
 */
export function createChannelCodeLane(deps: {
  db: Database;
  repo: ChannelRepo;
  jobs: Pick<JobService, 'enqueue'>;
  welcome: Pick<WelcomeService, 'normalize' | 'forChannel' | 'saveForChannel'>;
  api: (corpId: string) => ContactWayApi;
  timeZone: string;
  now: () => number;
}) {
  const { db, repo } = deps;
  const today = () => localDay(deps.now(), deps.timeZone);
  const lane = (_corpId: string, p: { channelId: number }) => `channel:${p.channelId}`;

  /** Asks for a push of the channel's stored config and rotation, after whatever its lane holds already. */
  async function requestPush(ex: Executor, corpId: string, channelId: number, dedupeKey: string): Promise<void> {
    await deps.jobs.enqueue(ex, pushJob, { channelId }, { corpId, dedupeKey });
  }

  const pushJob = defineJob(
    'sync_channel_reps',
    ChannelRef,
    async (job, { channelId }) => {
      const corpId = job.corpId;
      const stored = await db.tx(async (tx) => {
        const row = await repo.find(tx, corpId, channelId);
        return row && { row, reps: await repo.reps(tx, channelId) };
      });
      if (!stored) return { kind: 'done', result: 'channel deleted' };
      const { row, reps } = stored;
      const users = repsOnCode(reps, today());
      await deps.api(corpId).updateContactWay({
        config_id: row.configId,
        remark: wecomRemark(row.name),
        skip_verify: row.skipVerify,
        state: row.state,
        user: users,
      });
      return { kind: 'done', result: `on code: ${users.join(',')}` };
    },
    { lane },
  );

  /** Re-run safe: the body is merged onto the channel as stored when the job runs, pushed, then stored. */
  async function applyUpdate(job: JobContext, channelId: number, body: UpdateChannelBody): Promise<Outcome> {
    const corpId = job.corpId;
    const row = await repo.find(db, corpId, channelId);
    if (!row) return failed(NOT_FOUND);
    const patch = patchOf(body);
    const welcome = welcomeOf(body, deps.welcome.normalize);
    const input = { ...(await storedInput(db, row, repo, deps.welcome)), ...patch };
    const pushed = repsOnCode(await repRows(db, repo, corpId, channelId, input, today()), today());
    const resync = () => requestPush(db, corpId, channelId, `resync:${job.id}`);
    try {
      await deps.api(corpId).updateContactWay({
        config_id: row.configId,
        remark: wecomRemark(input.name),
        skip_verify: input.skipVerify,
        state: input.state!,
        user: pushed,
      });
    } catch (err) {
      const refusal = wecomRefusal(err);
      if (!refusal) throw err;
      if (err instanceof WecomNetworkError && err.outcomeUnknown) await resync();
      return refused(refusal);
    }
    try {
      await db.tx(async (tx) => {
        // Recomputed in the transaction: an add may have reached the cap since the push.
        const day = today();
        const reps = await repRows(tx, repo, corpId, channelId, input, day);
        await repo.update(tx, corpId, channelId, rowPatch(patch), deps.now());
        await repo.replaceReps(tx, channelId, reps);
        if (welcome !== undefined) await deps.welcome.saveForChannel(tx, corpId, channelId, welcome);
        if (!sameReps(pushed, repsOnCode(reps, day))) await requestPush(tx, corpId, channelId, `after:${job.id}`);
      });
    } catch (err) {
      // WeCom has the edit and the database does not: put WeCom back on what is stored.
      await resync().catch(() => undefined);
      if (isUniqueViolation(err, 'channels_corp_state')) return failed(STATE_TAKEN);
      if (isUniqueViolation(err, 'channels_corp_name')) return failed(NAME_TAKEN);
      throw err;
    }
    return { kind: 'done', result: `on code: ${pushed.join(',')}` };
  }

  const updateJob = defineJob(
    'update_channel_code',
    Type.Object({ channelId: Type.Integer(), body: UpdateChannelBody }),
    (job, { channelId, body }) => applyUpdate(job, channelId, body),
    { lane, maxAttempts: 1 },
  );

  const deleteJob = defineJob(
    'delete_channel_code',
    ChannelRef,
    async (job, { channelId }) => {
      const row = await repo.find(db, job.corpId, channelId);
      if (!row) return { kind: 'done', result: 'already deleted' };
      try {
        await deps.api(job.corpId).delContactWay(row.configId);
      } catch (err) {
        const refusal = wecomRefusal(err);
        if (!refusal) throw err;
        return refused(refusal);
      }
      await repo.softDelete(db, job.corpId, channelId, deps.now());
      return { kind: 'done' };
    },
    { lane, maxAttempts: 1 },
  );

  function errorOf(lastError: string | null, deadlineAt: number | null): Error {
    if (lastError?.startsWith(FAILURE_PREFIX)) {
      const reason = lastError.slice(FAILURE_PREFIX.length);
      const errcode = /^WeCom errcode (-?\d+)$/.exec(reason)?.[1];
      if (errcode !== undefined) return refusalError({ errcode: Number(errcode) });
      if (reason === UNREACHABLE) return refusalError({ unreachable: true });
      if (reason === NOT_FOUND) return channelNotFound();
      if (reason === STATE_TAKEN) return stateTaken();
      if (reason === NAME_TAKEN) return nameInUse();
    }
    // Not one of ours: the jobs module failed it unrun for its deadline, or it broke (logged by the worker).
    if (deadlineAt !== null && deps.now() > deadlineAt) return busy();
    return new Error(`channel code write failed: ${lastError ?? 'unknown'}`);
  }

  /** Waits for a write enqueued in the lane; throws what the admin should hear when it did not happen. */
  async function outcome(jobId: number | null): Promise<void> {
    if (jobId === null) throw new Error('a channel code write with a fresh key was not enqueued');
    for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
      const job = await repo.jobOutcome(db, jobId);
      if (!job) throw new Error(`channel code write ${jobId} vanished`);
      if (job.status === 'done') return;
      if (job.status === 'failed') throw errorOf(job.lastError, job.deadlineAt);
      const late = deps.now() - (job.deadlineAt ?? 0);
      if (job.status === 'pending' && late > CLOCK_SKEW_MS) throw busy();
      if (late > RUNNING_LIMIT_MS) throw outcomeUnknown();
      await sleep(delay);
    }
  }

  const window = () => ({ deadlineAt: deps.now() + WRITE_WINDOW_MS });

  return {
    jobs: [pushJob, updateJob, deleteJob],
    requestPush,

    /** Applies an admin's edit of fields WeCom's code carries: WeCom first, then the database. */
    async update(corpId: string, channelId: number, body: UpdateChannelBody): Promise<void> {
      const dedupeKey = `update:${channelId}:${randomUUID()}`;
      await outcome(await deps.jobs.enqueue(db, updateJob, { channelId, body }, { corpId, dedupeKey, ...window() }));
    },

    /** Deletes the code in WeCom, then soft-deletes the channel (its statistics stay readable). */
    async remove(corpId: string, channelId: number): Promise<void> {
      const dedupeKey = `delete:${channelId}:${randomUUID()}`;
      await outcome(await deps.jobs.enqueue(db, deleteJob, { channelId }, { corpId, dedupeKey, ...window() }));
    },
  };
}
export type ChannelCodeLane = ReturnType<typeof createChannelCodeLane>;
