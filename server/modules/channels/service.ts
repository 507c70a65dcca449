import type { Database, Executor } from '../../db/database.js';
import { isUniqueViolation } from '../../db/errors.js';
import { BadRequestError, NotFoundError, UpstreamError } from '../../errors.js';
import type { WecomApi } from '../../wecom/api.js';
import type { Channel, ChannelStats, CreateChannelBody, UpdateChannelBody } from '../../../shared/schemas/channels.js';
import type { DirectoryService } from '../directory/service.js';
import type { TagService } from '../tags/service.js';
import type { WelcomeService } from '../welcome/service.js';
import { callWecom } from '../wecom-call.js';
import {
  patchOf,
  repRows,
  rowPatch,
  storedInput,
  WECOM_FIELDS,
  wecomRemark,
  welcomeOf,
  type ChannelInput,
} from './channel-input.js';
import { channelNotFound, nameInUse, stateTaken, type ChannelCodeLane } from './code-lane.js';
import { dayCount, dayRange, daysBetween, localDay } from './local-day.js';
import { fetchQrImage, type QrImage } from './qr-image.js';
import type { ChannelRepo, ChannelRow } from './repo.js';
import { repsOnCode, sameReps } from './rotation.js';
import { generateState, MAX_STATE_LENGTH, stateProblem } from './state-code.js';

const MAX_STATS_DAYS = 366;

type ContactWayApi = Pick<WecomApi, 'addContactWay' | 'delContactWay'>;

/**
 * Channel codes (渠道活码): a WeCom 「联系我」 QR code with our `state`, rotating among reps, plus the tags and the
 * welcome message new customers get. Input is checked completely before anything is written or sent to WeCom.
 * Writes to an existing code in WeCom go through the channel's job lane (code-lane.ts).
 */
export function createChannelService(deps: {
  db: Database;
  repo: ChannelRepo;
  lane: Pick<ChannelCodeLane, 'update' | 'remove' | 'requestPush'>;
  welcome: Pick<WelcomeService, 'normalize' | 'forChannel' | 'saveForChannel'>;
  tags: Pick<TagService, 'unknownTagIds' | 'findTags'>;
  reps: Pick<DirectoryService, 'findRep'>;
  api: (corpId: string) => ContactWayApi;
  /** The corp's IANA zone: daily caps and statistics count its calendar days. */
  timeZone: string;
  now?: () => number;
  /** Downloads the QR images WeCom hosts (tests pass a fake). */
  fetch?: typeof fetch;
}) {
  const { db, repo } = deps;
  const now = deps.now ?? Date.now;
  const dayOf = (ms: number) => localDay(ms, deps.timeZone);
  const today = () => dayOf(now());

  async function live(corpId: string, id: number): Promise<ChannelRow> {
    const row = await repo.find(db, corpId, id);
    if (!row) throw channelNotFound();
    return row;
  }

  async function view(row: ChannelRow): Promise<Channel> {
    const tags = await deps.tags.findTags(row.corpId, row.tagIds);
    const day = today();
    const reps = [];
    for (const r of await repo.reps(db, row.id)) {
      reps.push({
        userId: r.userId,
        name: (await deps.reps.findRep(row.corpId, r.userId))?.name ?? r.userId,
        role: r.role,
        cappedToday: r.cappedOn === day,
      });
    }
    return {
      id: row.id,
      name: row.name,
      groupName: row.groupName,
      remark: row.remark,
      state: row.state,
      skipVerify: row.skipVerify,
      dailyCap: row.dailyCap,
      reps,
      tagIds: row.tagIds,
      tags: row.tagIds.map((id) => {
        const t = tags.get(id);
        return { id, name: t?.name ?? id, groupName: t?.groupName ?? '', deleted: !t || t.deleted };
      }),
      welcome: await deps.welcome.forChannel(row.corpId, row.id),
      configId: row.configId,
      qrCode: row.qrCode,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    };
  }

  /** Every check that needs no WeCom call; throws BadRequestError with the wrong field. */
  async function check(
    corpId: string,
    input: ChannelInput,
    changed: (field: keyof ChannelInput) => boolean,
  ): Promise<void> {
    if (input.name.trim() === '') throw new BadRequestError('名称不能为空', 'name');
    if ([...input.remark].length > 30) throw new BadRequestError('备注最多 30 个字符', 'remark');
    if (input.state !== null && changed('state')) {
      const problem = stateProblem(input.state);
      if (problem) throw new BadRequestError(problem, 'state');
    }
    if (changed('reps') || changed('backupReps')) {
      if (input.reps.length === 0) throw new BadRequestError('至少需要一名员工', 'reps');
      if (new Set(input.reps).size !== input.reps.length) throw new BadRequestError('员工重复', 'reps');
      if (new Set(input.backupReps).size !== input.backupReps.length)
        throw new BadRequestError('备用员工重复', 'backupReps');
      if (input.reps.length + input.backupReps.length > 100) throw new BadRequestError('员工最多 100 名', 'reps');
      const both = input.backupReps.find((u) => input.reps.includes(u));
      if (both) throw new BadRequestError(`员工 ${both} 不能同时是备用员工`, 'backupReps');
      for (const field of ['reps', 'backupReps'] as const) {
        const missing = [];
        for (const u of input[field]) if (!(await deps.reps.findRep(corpId, u))) missing.push(u);
        if (missing.length > 0) throw new BadRequestError(`企业中没有这些员工：${missing.join('、')}`, field);
      }
    }
    if (changed('tagIds')) {
      if (new Set(input.tagIds).size !== input.tagIds.length) throw new BadRequestError('标签重复', 'tagIds');
      const unknown = await deps.tags.unknownTagIds(corpId, input.tagIds);
      if (unknown.length > 0) throw new BadRequestError(`标签不存在：${unknown.join('、')}`, 'tagIds');
    }
  }

  async function uniqueState(corpId: string): Promise<string> {
    for (;;) {
      const state = generateState();
      if (!(await repo.findByState(db, corpId, state))) return state;
    }
  }

  /** A live channel of the corp other than `exceptId` already has this name (unique index channels_corp_name). */
  async function nameTaken(corpId: string, name: string, exceptId?: number): Promise<boolean> {
    return (await repo.list(db, corpId)).some((c) => c.name === name && c.id !== exceptId);
  }

  /** An early, friendly 409; the unique index decides when two writers race. */
  async function assertStateFree(corpId: string, state: string, exceptId?: number): Promise<void> {
    const owner = await repo.findByState(db, corpId, state);
    if (owner && owner.id !== exceptId) throw stateTaken();
  }

  /** A new code needs no lane: nothing else can write to it in WeCom before it is stored. */
  async function create(corpId: string, body: CreateChannelBody): Promise<Channel> {
    const input: ChannelInput = {
      name: body.name.trim(),
      groupName: body.groupName?.trim() ?? '',
      remark: body.remark ?? '',
      state: body.state ?? null,
      skipVerify: body.skipVerify ?? true,
      reps: body.reps,
      backupReps: body.backupReps ?? [],
      dailyCap: body.dailyCap ?? null,
      tagIds: body.tagIds ?? [],
      welcome: null,
    };
    await check(corpId, input, () => true);
    if (body.welcome) input.welcome = deps.welcome.normalize(body.welcome);
    if (await nameTaken(corpId, input.name)) throw nameInUse();
    if (input.state !== null) await assertStateFree(corpId, input.state);
    const state = input.state ?? (await uniqueState(corpId));
    const reps = await repRows(db, repo, corpId, null, input, today());

    const way = await callWecom(() =>
      deps.api(corpId).addContactWay({
        // Always a multi-member code: WeCom cannot change `type` later, and rotation and backups need it.
        type: 2,
        scene: 2,
        remark: wecomRemark(input.name),
        skip_verify: input.skipVerify,
        state,
        user: repsOnCode(reps, today()),
      }),
    );
    if (!way.qr_code) throw new UpstreamError('企业微信未返回二维码', { errcode: 0 });
    const at = now();
    let id: number;
    try {
      id = await db.tx(async (tx) => {
        const newId = await repo.insert(
          tx,
          {
            corpId,
            name: input.name,
            groupName: input.groupName,
            remark: input.remark,
            state,
            skipVerify: input.skipVerify,
            tagIds: input.tagIds,
            dailyCap: input.dailyCap,
            configId: way.config_id,
            qrCode: way.qr_code!,
          },
          at,
        );
        await repo.replaceReps(tx, newId, reps);
        await deps.welcome.saveForChannel(tx, corpId, newId, input.welcome);
        return newId;
      });
    } catch (err) {
      // Do not leave a QR code in WeCom that nothing here knows about.
      await deps
        .api(corpId)
        .delContactWay(way.config_id)
        .catch(() => undefined);
      if (isUniqueViolation(err, 'channels_corp_state')) throw stateTaken();
      if (isUniqueViolation(err, 'channels_corp_name')) throw nameInUse();
      throw err;
    }
    return view(await live(corpId, id));
  }

  async function update(corpId: string, id: number, body: UpdateChannelBody): Promise<Channel> {
    const row = await live(corpId, id);
    const input: ChannelInput = { ...(await storedInput(db, row, repo, deps.welcome)), ...patchOf(body) };
    const changed = (f: keyof ChannelInput) => body[f as keyof UpdateChannelBody] !== undefined;
    await check(corpId, input, changed);
    const welcome = welcomeOf(body, deps.welcome.normalize);
    if (changed('name') && (await nameTaken(corpId, input.name, id))) throw nameInUse();
    if (changed('state') && input.state !== row.state) await assertStateFree(corpId, input.state!, id);

    if (WECOM_FIELDS.some(changed)) {
      await deps.lane.update(corpId, id, body);
    } else {
      // Only our own fields: no WeCom call, so no lane; only the fields sent are written.
      await db.tx(async (tx) => {
        await repo.update(tx, corpId, id, rowPatch(patchOf(body)), now());
        if (welcome !== undefined) await deps.welcome.saveForChannel(tx, corpId, id, welcome);
      });
    }
    return view(await live(corpId, id));
  }

  async function remove(corpId: string, id: number): Promise<void> {
    await live(corpId, id);
    await deps.lane.remove(corpId, id);
  }

  return {
    create,
    update,
    remove,
    dayOf,

    async get(corpId: string, id: number): Promise<Channel> {
      return view(await live(corpId, id));
    },

    /**
     * A live code's QR image, fetched from the URL WeCom returned for it (never one a caller names) each time: the
     * image is WeCom's, and a deleted code's image must stop being served at once.
     */
    async qrImage(corpId: string, id: number): Promise<QrImage & { name: string }> {
      const row = await live(corpId, id);
      if (!row.qrCode) throw new NotFoundError('该渠道活码没有二维码');
      return { ...(await fetchQrImage(row.qrCode, deps.fetch)), name: row.name };
    },

    async list(corpId: string): Promise<Channel[]> {
      const channels: Channel[] = [];
      for (const row of await repo.list(db, corpId)) channels.push(await view(row));
      return channels;
    },

    countLive(corpId: string): Promise<number> {
      return repo.countLive(db, corpId);
    },

    /** A live channel by the `State` of an add event; `ex` to read it in the caller's transaction. */
    async findByState(corpId: string, state: string, ex: Executor = db): Promise<ChannelRow | undefined> {
      if (state.length === 0 || state.length > MAX_STATE_LENGTH) return undefined;
      const row = await repo.findByState(ex, corpId, state);
      return row && row.deletedAt === null ? row : undefined;
    },

    /** The reps of a live channel, primary first, or null (welcome preview). */
    async repsOf(corpId: string, channelId: number): Promise<string[] | null> {
      if (!(await repo.find(db, corpId, channelId))) return null;
      return (await repo.reps(db, channelId)).map((r) => r.userId);
    },

    /**
     * Counts an add for the rep on the channel, in the caller's transaction (pass the channel as read in it). The
     * count is the database's (`count + 1 … RETURNING`), so concurrent adds on several instances each see their own
     * value, and the cap is decided on it: a primary rep who reaches the daily cap is taken off the code for the rest
     * of `day` (a conditional update, so one add decides) and a push is enqueued in the channel's lane.
     */
    async countAdd(ex: Executor, corpId: string, channel: ChannelRow, userId: string, day: string): Promise<number> {
      const count = await repo.bumpDailyAdds(ex, corpId, channel.id, userId, day);
      if (channel.dailyCap === null || count < channel.dailyCap) return count;
      const reps = await repo.reps(ex, channel.id);
      const rep = reps.find((r) => r.userId === userId);
      if (!rep || rep.role !== 'primary' || rep.cappedOn === day) return count;
      if (!(await repo.capRep(ex, channel.id, userId, day))) return count;
      const before = repsOnCode(reps, day);
      const after = repsOnCode(
        reps.map((r) => (r.userId === userId ? { ...r, cappedOn: day } : r)),
        day,
      );
      if (!sameReps(before, after)) {
        // The count is in the key: after a cap was raised the same day, reaching the new cap is a new change.
        await deps.lane.requestPush(ex, corpId, channel.id, `cap:${channel.id}:${userId}:${day}:${count}`);
      }
      return count;
    },

    /**
     * Puts reps capped on an earlier day back on their codes (cron after midnight, and at start). Idempotent and
     * atomic: of two runs at once, one finds the reps to restore and the other nothing.
     */
    async restoreCappedReps(corpId: string, day: string = today()): Promise<{ reps: number; channels: number }> {
      return db.tx(async (tx) => {
        const restored = await repo.uncapBefore(tx, corpId, day);
        const channelIds = [...new Set(restored.map((c) => c.channelId))];
        for (const channelId of channelIds) {
          await deps.lane.requestPush(tx, corpId, channelId, `restore:${channelId}:${day}`);
        }
        return { reps: restored.length, channels: channelIds.length };
      });
    },

    /** Adds, losses and net per day of the corp's zone, from the channel's recorded movements. */
    async stats(corpId: string, id: number, from: string, to: string): Promise<ChannelStats> {
      const row = await repo.findAny(db, corpId, id);
      if (!row) throw channelNotFound();
      if (dayRange(from, from, deps.timeZone) === null) throw new BadRequestError('日期无效', 'from');
      const range = dayRange(from, to, deps.timeZone);
      if (range === null) throw new BadRequestError('日期无效', 'to');
      if (from > to) throw new BadRequestError('结束日期不能早于开始日期', 'to');
      if (dayCount(from, to) > MAX_STATS_DAYS) throw new BadRequestError(`最多查询 ${MAX_STATS_DAYS} 天`, 'to');
      const days = daysBetween(from, to);
      const { adds, losses } = await repo.movements(db, corpId, id, range.startMs, range.endMs);
      const tally = (times: number[]) => {
        const m = new Map<string, number>();
        for (const t of times) m.set(dayOf(t), (m.get(dayOf(t)) ?? 0) + 1);
        return m;
      };
      const addsByDay = tally(adds);
      const lossesByDay = tally(losses);
      const rows = days.map((day) => {
        const a = addsByDay.get(day) ?? 0;
        const l = lossesByDay.get(day) ?? 0;
        return { day, adds: a, losses: l, net: a - l };
      });
      const totals = { adds: adds.length, losses: losses.length, net: adds.length - losses.length };
      return { channelId: id, from, to, days: rows, totals };
    },
  };
}
export type ChannelService = ReturnType<typeof createChannelService>;
