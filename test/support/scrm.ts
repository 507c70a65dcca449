import { and, eq } from 'drizzle-orm';
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
  await app.modules.directory.service.syncAll(CORP);
  await app.modules.tags.service.syncAll(CORP);
}

export async function tagId(app: App, name: string): Promise<string> {
  const { tags } = app.db.t;
  const [row] = await app.db
    .select({ tagId: tags.tagId })
    .from(tags)
    .where(and(eq(tags.corpId, CORP), eq(tags.name, name), eq(tags.deleted, false)));
  if (!row) throw new Error(`no tag named ${name}`);
  return row.tagId;
}

export interface TimelineItem {
  kind: string;
  content: string;
  payload: Record<string, unknown>;
  source_key: string | null;
  occurred_at: number;
}

export async function timeline(app: App, externalUserId: string): Promise<TimelineItem[]> {
  const { timelineItems: t } = app.db.t;
  return app.db
    .select({
      kind: t.kind,
      content: t.content,
      payload: t.payload,
      source_key: t.sourceKey,
      occurred_at: t.occurredAt,
    })
    .from(t)
    .where(eq(t.externalUserId, externalUserId))
    .orderBy(t.id);
}

export interface JobInfo {
  kind: string;
  status: string;
  attempts: number;
  last_error: string | null;
  result: string | null;
}

/** Jobs whose payload mentions the customer, oldest first. */
export async function jobsOf(app: App, externalUserId: string): Promise<JobInfo[]> {
  const { jobs } = app.db.t;
  const rows = await app.db
    .select({
      kind: jobs.kind,
      status: jobs.status,
      attempts: jobs.attempts,
      last_error: jobs.lastError,
      result: jobs.result,
      payload: jobs.payload,
    })
    .from(jobs)
    .orderBy(jobs.id);
  return rows
    .filter((j) => JSON.stringify(j.payload).includes(externalUserId))
    .map(({ payload: _payload, ...job }) => job);
}

/** Waits until the add event and every job it caused are finished; returns the jobs. */
export async function settled(app: App, externalUserId: string, timeoutMs = 15_000): Promise<JobInfo[]> {
  const { events } = app.db.t;
  await waitFor(
    async () => {
      const rows = (await app.db.select({ status: events.status, payload: events.payload }).from(events)).filter((e) =>
        JSON.stringify(e.payload).includes(externalUserId),
      );
      return rows.length > 0 && rows.every((e) => e.status !== 'pending' && e.status !== 'running');
    },
    `the event of ${externalUserId}`,
    timeoutMs,
  );
  return waitFor(
    async () => {
      const jobs = await jobsOf(app, externalUserId);
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
