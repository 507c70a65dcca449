import type { App } from '../../server/app.js';
import { DEMO_CORP } from '../../server/emulator/index.js';
import type { CallRecord, SimulateResult } from '../../server/emulator/index.js';
import { sealCallback } from '../../server/wecom/crypto.js';
import { buildXml } from '../../server/wecom/xml.js';
import { ADMIN_TOKEN, waitFor } from './app.js';

/** Helpers for the channel / tag / welcome integration tests: admin API calls, emulator reads, DB probes. */

export const CORP = DEMO_CORP.corpId;

export async function admin(
  app: App,
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  url: string,
  payload?: unknown,
) {
  return app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });
}

/** Recorded WeCom API calls (GET /emulator/_calls). */
export async function calls(app: App, path?: string): Promise<CallRecord[]> {
  const res = await app.inject({ url: `/emulator/_calls${path ? `?path=${encodeURIComponent(path)}` : ''}` });
  return res.json() as CallRecord[];
}

export const EC = '/cgi-bin/externalcontact';

export async function simulate(app: App, body: Record<string, unknown>): Promise<SimulateResult> {
  const res = await app.inject({ method: 'POST', url: '/emulator/_simulate', payload: body });
  if (res.statusCode !== 200) throw new Error(`simulate failed: ${res.statusCode} ${res.body}`);
  return res.json() as SimulateResult;
}

/** The mirrors the admin API validates against: reps and tags (the boot syncs, which tests do not run). */
export async function prepare(app: App): Promise<void> {
  await app.services.directory.syncAll(CORP);
  await app.services.tags.syncAll(CORP);
}

export function tagId(app: App, name: string): string {
  const row = app.db.$client
    .prepare(`SELECT tag_id FROM tags WHERE corp_id = ? AND name = ? AND deleted = 0`)
    .get(CORP, name) as { tag_id: string } | undefined;
  if (!row) throw new Error(`no tag named ${name}`);
  return row.tag_id;
}

export interface TimelineItem {
  kind: string;
  content: string;
  payload: string;
  source_key: string | null;
  occurred_at: number;
}

export function timeline(app: App, externalUserId: string): TimelineItem[] {
  return app.db.$client
    .prepare(
      `SELECT kind, content, payload, source_key, occurred_at FROM timeline_items WHERE external_user_id = ? ORDER BY id`,
    )
    .all(externalUserId) as TimelineItem[];
}

export interface JobInfo {
  kind: string;
  status: string;
  attempts: number;
  last_error: string | null;
  result: string | null;
}

export function jobsOf(app: App, externalUserId: string): JobInfo[] {
  return app.db.$client
    .prepare(`SELECT kind, status, attempts, last_error, result FROM jobs WHERE payload LIKE ? ORDER BY id`)
    .all(`%${externalUserId}%`) as JobInfo[];
}

/** Waits until the add event and every job it caused are finished; returns the jobs. */
export async function settled(app: App, externalUserId: string, timeoutMs = 15_000): Promise<JobInfo[]> {
  await waitFor(
    () => {
      const events = app.db.$client
        .prepare(`SELECT status FROM events WHERE payload LIKE ?`)
        .all(`%${externalUserId}%`) as { status: string }[];
      return events.length > 0 && events.every((e) => e.status !== 'pending' && e.status !== 'processing');
    },
    `the event of ${externalUserId}`,
    timeoutMs,
  );
  return waitFor(
    () => {
      const jobs = jobsOf(app, externalUserId);
      return jobs.every((j) => j.status === 'done' || j.status === 'failed') && jobs;
    },
    `the jobs of ${externalUserId}`,
    timeoutMs,
  );
}

/** Welcome messages the emulator received for one customer. */
export async function welcomesFor(app: App, externalUserId: string) {
  const state = (await app.inject({ url: '/emulator/_state' })).json() as {
    welcomeMessages: {
      external_userid: string;
      userid: string;
      text: { content: string } | null;
      attachments: unknown[];
    }[];
  };
  return state.welcomeMessages.filter((w) => w.external_userid === externalUserId);
}

export async function markTagCalls(app: App, externalUserId: string) {
  return (await calls(app, `${EC}/mark_tag`)).filter(
    (c) => (c.body as { external_userid?: string }).external_userid === externalUserId,
  );
}

/** Tags WeCom (the emulator) has on the follow. */
export async function wecomTagsOf(app: App, externalUserId: string, userId: string): Promise<string[]> {
  const state = (await app.inject({ url: '/emulator/_state' })).json() as {
    customers: { external_userid: string; follow_user: { userid: string; tags?: { tag_id?: string }[] }[] }[];
  };
  const follow = state.customers
    .find((c) => c.external_userid === externalUserId)
    ?.follow_user.find((f) => f.userid === userId);
  return (follow?.tags ?? []).map((t) => t.tag_id!).sort();
}

/**
 * Delivers a change_external_tag callback as WeCom would (the emulator's /_simulate only sends
 * change_external_contact events), sealed with the demo corp's token and key.
 */
export async function deliverTagEvent(
  app: App,
  e: { changeType: 'create' | 'update' | 'delete' | 'shuffle'; id: string; tagType?: 'tag' | 'tag_group' },
): Promise<number> {
  const xml = buildXml({
    ToUserName: CORP,
    FromUserName: 'sys',
    CreateTime: String(Math.floor(Date.now() / 1000)),
    MsgType: 'event',
    Event: 'change_external_tag',
    Id: e.id,
    ...(e.tagType ? { TagType: e.tagType } : {}),
    ChangeType: e.changeType,
  });
  const sealed = sealCallback(
    { token: DEMO_CORP.token, encodingAesKey: DEMO_CORP.encodingAesKey, receiveId: CORP },
    xml,
  );
  const body = buildXml({ ToUserName: CORP, Encrypt: sealed.encrypt, AgentID: String(DEMO_CORP.agentId) });
  const res = await app.inject({
    method: 'POST',
    url: `/wecom/callback/${CORP}?msg_signature=${sealed.msgSignature}&timestamp=${sealed.timestamp}&nonce=${sealed.nonce}`,
    payload: body,
    headers: { 'content-type': 'text/xml' },
  });
  return res.statusCode;
}
