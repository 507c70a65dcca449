import type { Db } from '../../db/open.js';
import { BadRequestError, ConflictError, NotFoundError, UpstreamError } from '../../errors.js';
import type { WecomApi } from '../../wecom/api.js';
import type { Channel, ChannelStats, CreateChannelBody, UpdateChannelBody } from '../../../shared/schemas/channels.js';
import type { Welcome } from '../../../shared/schemas/welcome.js';
import type { DirectoryRepo } from '../directory/repo.js';
import type { JobService } from '../jobs/service.js';
import type { TagService } from '../tags/service.js';
import type { WelcomeService } from '../welcome/service.js';
import { callWecom } from '../wecom-call.js';
import { dayCount, dayRange, daysBetween, localDay } from './local-day.js';
import type { ChannelRepInput, ChannelRepo, ChannelRow } from './repo.js';
import { repsOnCode, sameReps } from './rotation.js';
import { generateState, MAX_STATE_LENGTH, stateProblem } from './state-code.js';

/** Job kind: push a channel's current rotation (caps applied) to WeCom with update_contact_way. */
export const SYNC_CHANNEL_REPS_JOB = 'sync_channel_reps';
const MAX_STATS_DAYS = 366;

type ContactWayApi = Pick<WecomApi, 'addContactWay' | 'updateContactWay' | 'delContactWay'>;

interface ChannelInput {
  name: string;
  groupName: string;
  remark: string;
  state: string | null;
  skipVerify: boolean;
  reps: string[];
  backupReps: string[];
  dailyCap: number | null;
  tagIds: string[];
  welcome: Welcome | null;
}

const isUniqueViolation = (err: unknown) =>
  err instanceof Error && (err as Error & { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE';
const stateTaken = () => new ConflictError('渠道标识已被使用，请换一个');

/** WeCom's `remark` of a contact way (≤ 30 characters) names the code there, so it carries the channel's name. */
const WECOM_REMARK_MAX = 30;
export const wecomRemark = (name: string) => [...name].slice(0, WECOM_REMARK_MAX).join('');

/**
 * Channel codes (渠道活码): a WeCom 「联系我」 QR code with our `state`, rotating among reps, plus the tags and the
 * welcome message new customers get. Input is checked completely before anything is written or sent to WeCom.
 */
export function createChannelService(deps: {
  db: Db;
  repo: ChannelRepo;
  welcome: Pick<WelcomeService, 'normalize' | 'forChannel' | 'saveForChannel'>;
  tags: Pick<TagService, 'unknownTagIds' | 'findTags'>;
  reps: Pick<DirectoryRepo, 'findRep'>;
  jobs: Pick<JobService, 'enqueue'>;
  api: (corpId: string) => ContactWayApi;
  /** The corp's IANA zone: daily caps and statistics count its calendar days. */
  timeZone: string;
  now?: () => number;
}) {
  const { repo } = deps;
  const now = deps.now ?? Date.now;
  const dayOf = (ms: number) => localDay(ms, deps.timeZone);
  const today = () => dayOf(now());

  // One WeCom rotation change per channel at a time, so an older list can never land after a newer one.
  const locks = new Map<number, Promise<unknown>>();
  function withChannelLock<T>(channelId: number, fn: () => Promise<T>): Promise<T> {
    const previous = locks.get(channelId) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    const settled = next.catch(() => undefined);
    locks.set(channelId, settled);
    void settled.then(() => {
      if (locks.get(channelId) === settled) locks.delete(channelId);
    });
    return next;
  }

  function live(corpId: string, id: number): ChannelRow {
    const row = repo.find(corpId, id);
    if (!row) throw new NotFoundError('渠道活码不存在');
    return row;
  }

  function view(row: ChannelRow): Channel {
    const tagIds = JSON.parse(row.tagIds) as string[];
    const tags = deps.tags.findTags(row.corpId, tagIds);
    const day = today();
    return {
      id: row.id,
      name: row.name,
      groupName: row.groupName,
      remark: row.remark,
      state: row.state,
      skipVerify: row.skipVerify,
      dailyCap: row.dailyCap,
      reps: repo.reps(row.id).map((r) => ({
        userId: r.userId,
        name: deps.reps.findRep(row.corpId, r.userId)?.name ?? r.userId,
        role: r.role,
        cappedToday: r.cappedOn === day,
      })),
      tagIds,
      tags: tagIds.map((id) => {
        const t = tags.get(id);
        return { id, name: t?.name ?? id, groupName: t?.groupName ?? '', deleted: !t || t.deleted };
      }),
      welcome: deps.welcome.forChannel(row.corpId, row.id),
      configId: row.configId,
      qrCode: row.qrCode,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    };
  }

  /** Every check that needs no WeCom call; throws BadRequestError with the wrong field. */
  function check(corpId: string, input: ChannelInput, changed: (field: keyof ChannelInput) => boolean): void {
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
        const missing = input[field].filter((u) => !deps.reps.findRep(corpId, u));
        if (missing.length > 0) throw new BadRequestError(`企业中没有这些员工：${missing.join('、')}`, field);
      }
    }
    if (changed('tagIds')) {
      if (new Set(input.tagIds).size !== input.tagIds.length) throw new BadRequestError('标签重复', 'tagIds');
      const unknown = deps.tags.unknownTagIds(corpId, input.tagIds);
      if (unknown.length > 0) throw new BadRequestError(`标签不存在：${unknown.join('、')}`, 'tagIds');
    }
  }

  function uniqueState(corpId: string): string {
    for (;;) {
      const state = generateState();
      if (!repo.findByState(corpId, state)) return state;
    }
  }

  /** A live channel of the corp other than `exceptId` already has this name (unique index channels_corp_name). */
  function nameTaken(corpId: string, name: string, exceptId?: number): boolean {
    return repo.list(corpId).some((c) => c.name === name && c.id !== exceptId);
  }
  const nameInUse = () => new ConflictError('渠道名称已存在');

  /** What a unique violation on write was about (another request took the name or state meanwhile). */
  function clash(corpId: string, name: string, exceptId?: number): ConflictError {
    return nameTaken(corpId, name, exceptId) ? nameInUse() : stateTaken();
  }

  function assertStateFree(corpId: string, state: string, exceptId?: number): void {
    const owner = repo.findByState(corpId, state);
    if (owner && owner.id !== exceptId) throw stateTaken();
  }

  /**
   * Primary reps' cap for today is recomputed against `dailyCap`; a cap from an earlier day is kept for the restore
   * job (which puts the rep back and tells WeCom). Backup reps are never capped.
   */
  function repRows(corpId: string, channelId: number | null, input: ChannelInput): ChannelRepInput[] {
    const day = today();
    const counts = channelId === null ? new Map<string, number>() : repo.dailyAdds(corpId, channelId, day);
    const earlier = new Map(
      (channelId === null ? [] : repo.reps(channelId)).map((r) => [
        r.userId,
        r.cappedOn && r.cappedOn < day ? r.cappedOn : null,
      ]),
    );
    const cappedOn = (u: string) =>
      input.dailyCap !== null && (counts.get(u) ?? 0) >= input.dailyCap ? day : (earlier.get(u) ?? null);
    return [
      ...input.reps.map((userId, order) => ({ userId, role: 'primary' as const, order, cappedOn: cappedOn(userId) })),
      ...input.backupReps.map((userId, order) => ({ userId, role: 'backup' as const, order, cappedOn: null })),
    ];
  }

  function save(corpId: string, id: number, input: ChannelInput, reps: ChannelRepInput[]): void {
    repo.replaceReps(id, reps);
    deps.welcome.saveForChannel(corpId, id, input.welcome);
  }

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
    check(corpId, input, () => true);
    if (body.welcome) input.welcome = deps.welcome.normalize(body.welcome);
    if (nameTaken(corpId, input.name)) throw nameInUse();
    if (input.state !== null) assertStateFree(corpId, input.state);
    const state = input.state ?? uniqueState(corpId);
    const reps = repRows(corpId, null, input);

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
      id = deps.db.transaction(() => {
        const newId = repo.insert({ corpId, ...input, state, configId: way.config_id, qrCode: way.qr_code! }, at);
        save(corpId, newId, input, reps);
        return newId;
      });
    } catch (err) {
      // Do not leave a QR code in WeCom that nothing here knows about.
      await deps
        .api(corpId)
        .delContactWay(way.config_id)
        .catch(() => undefined);
      if (isUniqueViolation(err)) throw clash(corpId, input.name);
      throw err;
    }
    return view(live(corpId, id));
  }

  async function update(corpId: string, id: number, body: UpdateChannelBody): Promise<Channel> {
    const row = live(corpId, id);
    const currentReps = repo.reps(id);
    const current: ChannelInput = {
      name: row.name,
      groupName: row.groupName,
      remark: row.remark,
      state: row.state,
      skipVerify: row.skipVerify,
      reps: currentReps.filter((r) => r.role === 'primary').map((r) => r.userId),
      backupReps: currentReps.filter((r) => r.role === 'backup').map((r) => r.userId),
      dailyCap: row.dailyCap,
      tagIds: JSON.parse(row.tagIds) as string[],
      welcome: deps.welcome.forChannel(corpId, id),
    };
    const input: ChannelInput = {
      name: body.name?.trim() ?? current.name,
      groupName: body.groupName?.trim() ?? current.groupName,
      remark: body.remark ?? current.remark,
      state: body.state ?? current.state,
      skipVerify: body.skipVerify ?? current.skipVerify,
      reps: body.reps ?? current.reps,
      backupReps: body.backupReps ?? current.backupReps,
      dailyCap: body.dailyCap !== undefined ? body.dailyCap : current.dailyCap,
      tagIds: body.tagIds ?? current.tagIds,
      welcome: current.welcome,
    };
    const changed = (f: keyof ChannelInput) => body[f as keyof UpdateChannelBody] !== undefined;
    check(corpId, input, changed);
    if (body.welcome !== undefined) input.welcome = body.welcome === null ? null : deps.welcome.normalize(body.welcome);
    if (changed('name') && nameTaken(corpId, input.name, id)) throw nameInUse();
    if (changed('state') && input.state !== row.state) assertStateFree(corpId, input.state!, id);

    const write = (reps: ChannelRepInput[]) => {
      try {
        deps.db.transaction(() => {
          repo.update(
            corpId,
            id,
            {
              name: input.name,
              groupName: input.groupName,
              remark: input.remark,
              state: input.state!,
              skipVerify: input.skipVerify,
              dailyCap: input.dailyCap,
              tagIds: input.tagIds,
            },
            now(),
          );
          save(corpId, id, input, reps);
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw clash(corpId, input.name, id);
        throw err;
      }
    };

    const wecomChanged = (['name', 'state', 'skipVerify', 'reps', 'backupReps', 'dailyCap'] as const).some(changed);
    if (!wecomChanged) {
      write(repRows(corpId, id, input));
    } else {
      await withChannelLock(id, async () => {
        const reps = repRows(corpId, id, input);
        await callWecom(() =>
          deps.api(corpId).updateContactWay({
            config_id: row.configId,
            remark: wecomRemark(input.name),
            skip_verify: input.skipVerify,
            state: input.state!,
            user: repsOnCode(reps, today()),
          }),
        );
        write(reps);
      });
    }
    return view(live(corpId, id));
  }

  async function remove(corpId: string, id: number): Promise<void> {
    const row = live(corpId, id);
    await withChannelLock(id, async () => {
      await callWecom(() => deps.api(corpId).delContactWay(row.configId));
      repo.softDelete(corpId, id, now());
    });
  }

  /** Pushes the channel's current rotation to WeCom (the body of the sync job). */
  async function pushReps(corpId: string, channelId: number): Promise<string> {
    return withChannelLock(channelId, async () => {
      const row = repo.find(corpId, channelId);
      if (!row) return 'channel deleted';
      const users = repsOnCode(repo.reps(channelId), today());
      await deps.api(corpId).updateContactWay({ config_id: row.configId, user: users });
      return `on code: ${users.join(',')}`;
    });
  }

  return {
    create,
    update,
    remove,
    pushReps,
    dayOf,

    get(corpId: string, id: number): Channel {
      return view(live(corpId, id));
    },

    list(corpId: string): Channel[] {
      return repo.list(corpId).map(view);
    },

    countLive(corpId: string): number {
      return repo.countLive(corpId);
    },

    /** A live channel by the `State` of an add event. */
    findByState(corpId: string, state: string): ChannelRow | undefined {
      if (state.length === 0 || state.length > MAX_STATE_LENGTH) return undefined;
      const row = repo.findByState(corpId, state);
      return row && row.deletedAt === null ? row : undefined;
    },

    /** The reps of a live channel, primary first, or null (welcome preview). */
    repsOf(corpId: string, channelId: number): string[] | null {
      return repo.find(corpId, channelId) ? repo.reps(channelId).map((r) => r.userId) : null;
    },

    /**
     * Counts an add for the rep on the channel, in the caller's transaction. When a primary rep reaches the daily
     * cap they are taken off the code for the rest of `day`: marked here, pushed to WeCom by a durable job.
     */
    countAdd(corpId: string, channel: ChannelRow, userId: string, day: string): number {
      const count = repo.bumpDailyAdds(corpId, channel.id, userId, day);
      if (channel.dailyCap === null || count < channel.dailyCap) return count;
      const reps = repo.reps(channel.id);
      const rep = reps.find((r) => r.userId === userId);
      if (!rep || rep.role !== 'primary' || rep.cappedOn === day) return count;
      const before = repsOnCode(reps, day);
      repo.setCapped(channel.id, userId, day);
      const after = repsOnCode(
        reps.map((r) => (r.userId === userId ? { ...r, cappedOn: day } : r)),
        day,
      );
      if (!sameReps(before, after)) {
        deps.jobs.enqueue({
          corpId,
          kind: SYNC_CHANNEL_REPS_JOB,
          // The count is in the key: after a cap was raised the same day, reaching the new cap is a new change.
          dedupeKey: `cap:${channel.id}:${userId}:${day}:${count}`,
          payload: { channelId: channel.id },
        });
      }
      return count;
    },

    /**
     * Puts reps capped on an earlier day back on their codes (cron after midnight, and at boot). Idempotent: a
     * second run for the same day finds nothing to restore.
     */
    restoreCappedReps(corpId: string, day: string = today()): { reps: number; channels: number } {
      const capped = repo.cappedBefore(corpId, day);
      const channelIds = [...new Set(capped.map((c) => c.channelId))];
      deps.db.transaction(() => {
        for (const c of capped) repo.setCapped(c.channelId, c.userId, null);
        for (const channelId of channelIds) {
          deps.jobs.enqueue({
            corpId,
            kind: SYNC_CHANNEL_REPS_JOB,
            dedupeKey: `restore:${channelId}:${day}`,
            payload: { channelId },
          });
        }
      });
      return { reps: capped.length, channels: channelIds.length };
    },

    /** Adds, losses and net per day of the corp's zone, from the follows attributed to the channel. */
    stats(corpId: string, id: number, from: string, to: string): ChannelStats {
      const row = repo.findAny(corpId, id);
      if (!row) throw new NotFoundError('渠道活码不存在');
      if (dayRange(from, from, deps.timeZone) === null) throw new BadRequestError('日期无效', 'from');
      const range = dayRange(from, to, deps.timeZone);
      if (range === null) throw new BadRequestError('日期无效', 'to');
      if (from > to) throw new BadRequestError('结束日期不能早于开始日期', 'to');
      if (dayCount(from, to) > MAX_STATS_DAYS) throw new BadRequestError(`最多查询 ${MAX_STATS_DAYS} 天`, 'to');
      const days = daysBetween(from, to);
      const { adds, losses } = repo.movements(corpId, id, range.startMs, range.endMs);
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
