import type { Executor } from '../../db/database.js';
import type { UpdateChannelBody } from '../../../shared/schemas/channels.js';
import type { Welcome, WelcomeInput } from '../../../shared/schemas/welcome.js';
import type { WelcomeService } from '../welcome/service.js';
import type { ChannelPatch, ChannelRepInput, ChannelRepo, ChannelRow } from './repo.js';

/** A channel as an admin describes it: what create takes, and what an update's body is merged onto. */
export interface ChannelInput {
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

/** What WeCom's 「联系我」 code carries (or decides who is on it): changing one of them is a write to WeCom. */
export const WECOM_FIELDS = ['name', 'state', 'skipVerify', 'reps', 'backupReps', 'dailyCap'] as const;

/** The fields an update body sets, trimmed as create trims them; the welcome stays as given (normalised later). */
export function patchOf(body: UpdateChannelBody): Partial<Omit<ChannelInput, 'welcome'>> {
  const patch: Partial<Omit<ChannelInput, 'welcome'>> = {};
  if (body.name !== undefined) patch.name = body.name.trim();
  if (body.groupName !== undefined) patch.groupName = body.groupName.trim();
  if (body.remark !== undefined) patch.remark = body.remark;
  if (body.state !== undefined) patch.state = body.state;
  if (body.skipVerify !== undefined) patch.skipVerify = body.skipVerify;
  if (body.reps !== undefined) patch.reps = body.reps;
  if (body.backupReps !== undefined) patch.backupReps = body.backupReps;
  if (body.dailyCap !== undefined) patch.dailyCap = body.dailyCap;
  if (body.tagIds !== undefined) patch.tagIds = body.tagIds;
  return patch;
}

/** The body's welcome, normalised: undefined when the body leaves it, null when it removes it. */
export function welcomeOf(
  body: UpdateChannelBody,
  normalize: (input: WelcomeInput) => Welcome,
): Welcome | null | undefined {
  if (body.welcome === undefined) return undefined;
  return body.welcome === null ? null : normalize(body.welcome);
}

/** The channel's own columns among an update's fields (reps and welcome live in their tables). */
export function rowPatch(patch: Partial<ChannelInput>): ChannelPatch {
  const { name, groupName, remark, state, skipVerify, dailyCap, tagIds } = patch;
  const row: ChannelPatch = { name, groupName, remark, state: state ?? undefined, skipVerify, dailyCap, tagIds };
  return Object.fromEntries(Object.entries(row).filter(([, v]) => v !== undefined)) as ChannelPatch;
}

/** The channel as stored, as an input an update is merged onto. */
export async function storedInput(
  ex: Executor,
  row: ChannelRow,
  repo: Pick<ChannelRepo, 'reps'>,
  welcome: Pick<WelcomeService, 'forChannel'>,
): Promise<ChannelInput> {
  const reps = await repo.reps(ex, row.id);
  return {
    name: row.name,
    groupName: row.groupName,
    remark: row.remark,
    state: row.state,
    skipVerify: row.skipVerify,
    reps: reps.filter((r) => r.role === 'primary').map((r) => r.userId),
    backupReps: reps.filter((r) => r.role === 'backup').map((r) => r.userId),
    dailyCap: row.dailyCap,
    tagIds: row.tagIds,
    welcome: await welcome.forChannel(row.corpId, row.id, ex),
  };
}

/**
 * The rep rows of `input` on `day` (the corp's today). Primary reps' cap for the day is recomputed from the day's
 * counts against `dailyCap`; a cap from an earlier day is kept for the restore job (which puts the rep back and
 * tells WeCom). Backup reps are never capped.
 */
export async function repRows(
  ex: Executor,
  repo: Pick<ChannelRepo, 'dailyAdds' | 'reps'>,
  corpId: string,
  channelId: number | null,
  input: Pick<ChannelInput, 'reps' | 'backupReps' | 'dailyCap'>,
  day: string,
): Promise<ChannelRepInput[]> {
  const counts = channelId === null ? new Map<string, number>() : await repo.dailyAdds(ex, corpId, channelId, day);
  const earlier = new Map(
    (channelId === null ? [] : await repo.reps(ex, channelId)).map((r) => [
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

/** WeCom's `remark` of a contact way (≤ 30 characters) names the code there, so it carries the channel's name. */
const WECOM_REMARK_MAX = 30;
export const wecomRemark = (name: string) => [...name].slice(0, WECOM_REMARK_MAX).join('');
