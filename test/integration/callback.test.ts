import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { and, asc, count, eq, inArray } from 'drizzle-orm';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { App } from '../../server/app.js';
import { DEMO_CORP } from '../../server/emulator/index.js';
import { computeSignature, sealCallback } from '../../server/wecom/crypto.js';
import { buildExternalContactEventXml } from '../../server/wecom/events.js';
import { appTableCounts, startApp, testConfig, waitFor } from '../support/app.js';

const REP = 'zhangwei';
let app: App;

afterEach(async () => {
  vi.restoreAllMocks();
  await app?.close();
});

async function simulate(body: Record<string, unknown>) {
  const res = await app.inject({ method: 'POST', url: '/emulator/_simulate', payload: body });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { externalUserId: string; welcomeCode: string | null; deliveries: { status: number }[] };
}

async function calls(path: string) {
  const res = await app.inject({ url: `/emulator/_calls?path=${encodeURIComponent(path)}` });
  return res.json() as { path: string; response: { errcode: number } }[];
}

/** The inbox rows about one customer, oldest first. */
async function eventsOf(externalUserId: string) {
  const { events } = app.db.t;
  const rows = await app.db
    .select({
      id: events.id,
      status: events.status,
      attempts: events.attempts,
      last_error: events.lastError,
      payload: events.payload,
    })
    .from(events)
    .orderBy(asc(events.id));
  return rows.filter((r) => JSON.stringify(r.payload).includes(externalUserId));
}

const settled = (externalUserId: string) => async () => {
  const rows = await eventsOf(externalUserId);
  return rows.length > 0 && rows.every((r) => r.status !== 'pending' && r.status !== 'running') && rows;
};

async function contactOf(externalUserId: string) {
  const { contacts } = app.db.t;
  const [row] = await app.db
    .select()
    .from(contacts)
    .where(and(eq(contacts.corpId, DEMO_CORP.corpId), eq(contacts.externalUserId, externalUserId)));
  return row;
}

async function followsOf(externalUserId: string) {
  const { follows } = app.db.t;
  return app.db
    .select()
    .from(follows)
    .where(and(eq(follows.corpId, DEMO_CORP.corpId), eq(follows.externalUserId, externalUserId)))
    .orderBy(asc(follows.id));
}

function sealedAdd(externalUserId: string, createTime = Math.floor(Date.now() / 1000)) {
  const xml = buildExternalContactEventXml({
    corpId: DEMO_CORP.corpId,
    changeType: 'add_external_contact',
    userId: REP,
    externalUserId,
    createTime,
  });
  const sealed = sealCallback(
    { token: DEMO_CORP.token, encodingAesKey: DEMO_CORP.encodingAesKey, receiveId: DEMO_CORP.corpId },
    xml,
  );
  const body = `<xml><ToUserName><![CDATA[${DEMO_CORP.corpId}]]></ToUserName><Encrypt><![CDATA[${sealed.encrypt}]]></Encrypt><AgentID><![CDATA[${DEMO_CORP.agentId}]]></AgentID></xml>`;
  const query = `msg_signature=${sealed.msgSignature}&timestamp=${sealed.timestamp}&nonce=${sealed.nonce}`;
  return { body, query, sealed };
}

describe('callback → inbox → worker', () => {
  it('a simulated add stores the contact with the emulator profile and a follow for the rep', async () => {
    app = await startApp();
    const { externalUserId } = await simulate({ changeType: 'add_external_contact', userId: REP, name: '林晓雨' });
    await waitFor(settled(externalUserId), 'the add to be processed');

    const contact = await contactOf(externalUserId);
    const state = (await app.inject({ url: '/emulator/_state' })).json() as {
      customers: { external_userid: string; name: string; gender: number; type: number }[];
    };
    const profile = state.customers.find((c) => c.external_userid === externalUserId)!;
    expect(contact).toMatchObject({
      corpId: DEMO_CORP.corpId,
      name: '林晓雨',
      gender: profile.gender,
      type: profile.type,
    });
    const follow = (await followsOf(externalUserId)).find((f) => f.userId === REP);
    expect(follow).toMatchObject({ status: 'active', lostAt: null });
    const { reps } = app.db.t;
    const [rep] = await app.db
      .select({ name: reps.name })
      .from(reps)
      .where(and(eq(reps.corpId, DEMO_CORP.corpId), eq(reps.userId, REP)));
    expect(rep!.name).toMatch(/\p{Script=Han}/u);
  });

  it('the same callback delivered 4 times is processed once, with one externalcontact/get', async () => {
    app = await startApp();
    const { externalUserId, deliveries } = await simulate({
      changeType: 'add_external_contact',
      userId: REP,
      deliveries: 4,
    });
    expect(deliveries.map((d) => d.status)).toEqual([200, 200, 200, 200]);
    const rows = await waitFor(settled(externalUserId), 'the add to be processed');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.status).toBe('done');
    const gets = (await calls('/cgi-bin/externalcontact/get')).filter((c) =>
      JSON.stringify(c).includes(externalUserId),
    );
    expect(gets).toHaveLength(1);
    const { contacts } = app.db.t;
    const [counted] = await app.db
      .select({ n: count() })
      .from(contacts)
      .where(eq(contacts.externalUserId, externalUserId));
    expect(Number(counted!.n)).toBe(1);
  });

  it('del_follow_user and del_external_contact end the follow with time and reason', async () => {
    app = await startApp();
    const { externalUserId } = await simulate({ changeType: 'add_external_contact', userId: REP });
    await waitFor(settled(externalUserId), 'the add');
    await simulate({ changeType: 'del_follow_user', userId: REP, externalUserId });
    const follow = await waitFor(
      async () => (await followsOf(externalUserId)).find((f) => f.status === 'lost'),
      'the follow to be lost',
    );
    expect(follow.lostReason).toBe('deleted_by_customer');
    expect(Math.abs(follow.lostAt! - Date.now())).toBeLessThan(60_000);

    const second = await simulate({ changeType: 'add_external_contact', userId: 'lina' });
    await waitFor(settled(second.externalUserId), 'the second add');
    await simulate({ changeType: 'del_external_contact', userId: 'lina', externalUserId: second.externalUserId });
    const lost = await waitFor(
      async () => (await followsOf(second.externalUserId)).find((f) => f.status === 'lost'),
      'the rep-side loss',
    );
    expect(lost.lostReason).toBe('deleted_by_rep');
  });

  it('edit_external_contact re-syncs the follow from WeCom', async () => {
    app = await startApp();
    const { externalUserId } = await simulate({ changeType: 'add_external_contact', userId: REP });
    await waitFor(settled(externalUserId), 'the add');
    await simulate({ changeType: 'edit_external_contact', userId: REP, externalUserId });
    await waitFor(
      async () => (await eventsOf(externalUserId)).filter((r) => r.status === 'done').length === 2,
      'the edit',
    );
    const state = (await app.inject({ url: '/emulator/_state' })).json() as {
      customers: { external_userid: string; follow_user: { userid: string; description: string }[] }[];
    };
    const emulated = state.customers
      .find((c) => c.external_userid === externalUserId)!
      .follow_user.find((f) => f.userid === REP)!;
    const [follow] = await followsOf(externalUserId);
    expect(follow!.description).toBe(emulated.description);
    expect(await calls('/cgi-bin/externalcontact/get').then((c) => c.length)).toBeGreaterThanOrEqual(2);
  });

  it('GET answers the decrypted echostr as bare text', async () => {
    app = await startApp();
    const cred = { token: DEMO_CORP.token, encodingAesKey: DEMO_CORP.encodingAesKey, receiveId: DEMO_CORP.corpId };
    const sealed = sealCallback(cred, '8390217445361029');
    const res = await app.inject({
      url: `/wecom/callback/${DEMO_CORP.corpId}?msg_signature=${sealed.msgSignature}&timestamp=${sealed.timestamp}&nonce=${sealed.nonce}&echostr=${encodeURIComponent(sealed.encrypt)}`,
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('8390217445361029');
  });
});

describe('rejected callbacks change nothing', () => {
  it('forged signature → 401, unknown corp → 404, garbage → 400, oversized → 413', async () => {
    app = await startApp();
    const before = await appTableCounts(app);
    const { body, query, sealed } = sealedAdd('wmForgedCustomer0000000000000001');

    const forgedSig = computeSignature('not-the-token', sealed.timestamp, sealed.nonce, sealed.encrypt);
    const forged = await app.inject({
      method: 'POST',
      url: `/wecom/callback/${DEMO_CORP.corpId}?msg_signature=${forgedSig}&timestamp=${sealed.timestamp}&nonce=${sealed.nonce}`,
      payload: body,
      headers: { 'content-type': 'text/xml' },
    });
    expect(forged.statusCode).toBe(401);

    const unknown = await app.inject({
      method: 'POST',
      url: `/wecom/callback/wwffffffffffffffff?${query}`,
      payload: body,
      headers: { 'content-type': 'text/xml' },
    });
    expect(unknown.statusCode).toBe(404);

    const garbage = await app.inject({
      method: 'POST',
      url: `/wecom/callback/${DEMO_CORP.corpId}?${query}`,
      payload: 'this is <not xml',
      headers: { 'content-type': 'text/xml' },
    });
    expect(garbage.statusCode).toBe(400);

    // Correctly signed, but the ciphertext is not something WeCom's key produced.
    const junk = Buffer.alloc(64, 7).toString('base64');
    const junkSig = computeSignature(DEMO_CORP.token, sealed.timestamp, sealed.nonce, junk);
    const undecryptable = await app.inject({
      method: 'POST',
      url: `/wecom/callback/${DEMO_CORP.corpId}?msg_signature=${junkSig}&timestamp=${sealed.timestamp}&nonce=${sealed.nonce}`,
      payload: `<xml><Encrypt><![CDATA[${junk}]]></Encrypt></xml>`,
      headers: { 'content-type': 'text/xml' },
    });
    expect(undecryptable.statusCode).toBe(400);

    const oversized = await app.inject({
      method: 'POST',
      url: `/wecom/callback/${DEMO_CORP.corpId}?${query}`,
      payload: body.replace('</xml>', `<Pad>${'x'.repeat(300 * 1024)}</Pad></xml>`),
      headers: { 'content-type': 'text/xml' },
    });
    expect(oversized.statusCode).toBe(413);

    expect(await appTableCounts(app)).toEqual(before);
    // The genuine callback still goes through afterwards.
    const ok = await app.inject({
      method: 'POST',
      url: `/wecom/callback/${DEMO_CORP.corpId}?${query}`,
      payload: body,
      headers: { 'content-type': 'text/xml' },
    });
    expect(ok.statusCode).toBe(200);
    expect((await appTableCounts(app)).events).toBe(before.events! + 1);
  });
});

describe('what a rejection costs', () => {
  const probe = `<xml>${'<A>1</A>'.repeat(32632)}<Encrypt>x</Encrypt></xml>`;
  const randomSignature = 'f1d2d2f924e986ac86fdf7b36c94bcdf32beec15';

  it('an unknown corp is answered 404 before its body is read, and the connection is closed', async () => {
    app = await startApp();
    let read = false;
    const body = new Readable({
      read() {
        read = true;
        this.push(probe);
        this.push(null);
      },
    });
    const res = await app.inject({
      method: 'POST',
      url: `/wecom/callback/wwffffffffffffffff?msg_signature=${randomSignature}&timestamp=1&nonce=1`,
      payload: body,
      headers: { 'content-type': 'text/xml', 'content-length': String(probe.length) },
    });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: 'not_found', message: '企业不存在' });
    expect(read).toBe(false);
    expect(res.headers.connection).toBe('close');
  });

  it('the outside probe (32,632 repeated elements, a random signature) is refused 401 and never reaches the XML parser', async () => {
    app = await startApp();
    const validate = vi.spyOn(XMLValidator, 'validate');
    const parse = vi.spyOn(XMLParser.prototype, 'parse');
    const before = await appTableCounts(app);
    const res = await app.inject({
      method: 'POST',
      url: `/wecom/callback/${DEMO_CORP.corpId}?msg_signature=${randomSignature}&timestamp=1&nonce=1`,
      payload: probe,
      headers: { 'content-type': 'text/xml' },
    });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: 'unauthorized' });
    expect(validate).not.toHaveBeenCalled();
    expect(parse).not.toHaveBeenCalled();
    expect(await appTableCounts(app)).toEqual(before);
  });

  it('a genuine callback near the body limit (a 180 KB text message) is accepted, whole or in pieces, and stored once', async () => {
    app = await startApp();
    const before = await appTableCounts(app);
    const content = '长'.repeat(60_000); // 180 KB of UTF-8
    const xml = `<xml><ToUserName><![CDATA[${DEMO_CORP.corpId}]]></ToUserName><FromUserName><![CDATA[${REP}]]></FromUserName><CreateTime>1409659813</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>4561255354251345929</MsgId><AgentID>${DEMO_CORP.agentId}</AgentID></xml>`;
    const cred = { token: DEMO_CORP.token, encodingAesKey: DEMO_CORP.encodingAesKey, receiveId: DEMO_CORP.corpId };
    const sealed = sealCallback(cred, xml);
    const body = `<xml><ToUserName><![CDATA[${DEMO_CORP.corpId}]]></ToUserName><Encrypt><![CDATA[${sealed.encrypt}]]></Encrypt></xml>`;
    expect(body.length).toBeGreaterThan(230 * 1024);
    const url = `/wecom/callback/${DEMO_CORP.corpId}?msg_signature=${sealed.msgSignature}&timestamp=${sealed.timestamp}&nonce=${sealed.nonce}`;
    const whole = await app.inject({ method: 'POST', url, payload: body, headers: { 'content-type': 'text/xml' } });
    expect(whole.statusCode).toBe(200);
    // WeCom's retry, this time in 4 KB chunks (the body is put together from its pieces): a duplicate.
    const pieces = Array.from({ length: Math.ceil(body.length / 4096) }, (_, i) =>
      body.slice(i * 4096, (i + 1) * 4096),
    );
    const chunked = await app.inject({
      method: 'POST',
      url,
      payload: Readable.from(pieces),
      headers: { 'content-type': 'text/xml', 'transfer-encoding': 'chunked' },
    });
    expect(chunked.statusCode).toBe(200);
    expect((await appTableCounts(app)).events).toBe(before.events! + 1);
    const { events } = app.db.t;
    const rows = await app.db
      .select({ rawXml: events.rawXml })
      .from(events)
      .where(eq(events.idempotencyKey, '1409659813|msg|4561255354251345929'));
    expect(rows).toEqual([{ rawXml: xml }]);
  });

  it('a body that arrives in 1-byte chunks is refused after 64 pieces, not read to its 256 KB end', async () => {
    app = await startApp();
    const { port } = app.server.address() as { port: number };
    const pieces = Array.from(Buffer.from(probe), (byte) => `1\r\n${String.fromCharCode(byte)}\r\n`).join('');
    const request = Buffer.from(
      `POST /wecom/callback/${DEMO_CORP.corpId}?msg_signature=${randomSignature}&timestamp=1&nonce=1 HTTP/1.1\r\n` +
        `Host: 127.0.0.1\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n${pieces}0\r\n\r\n`,
      'latin1',
    );
    const answer = await new Promise<string>((resolve) => {
      let received = '';
      const socket = connect(port, '127.0.0.1');
      socket.on('data', (d: Buffer) => (received += d.toString('utf8')));
      socket.on('close', () => resolve(received));
      socket.on('error', () => socket.destroy());
      socket.end(request);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toContain('请求体分块过多');
    // The same body in ordinary pieces is read and judged by its signature.
    const res = await app.inject({
      method: 'POST',
      url: `/wecom/callback/${DEMO_CORP.corpId}?msg_signature=${randomSignature}&timestamp=1&nonce=1`,
      payload: Readable.from(Array.from({ length: 64 }, (_, i) => probe.slice(i * 4096, (i + 1) * 4096))),
      headers: { 'content-type': 'text/xml', 'transfer-encoding': 'chunked' },
    });
    expect(res.statusCode).toBe(401);
  });
});

describe('WeCom API faults', () => {
  it('an expired token is refreshed once and the call succeeds', async () => {
    app = await startApp();
    const first = await simulate({ changeType: 'add_external_contact', userId: REP });
    await waitFor(settled(first.externalUserId), 'the first add');
    const tokensBefore = (await calls('/cgi-bin/gettoken')).length;
    expect(tokensBefore).toBe(1);

    await app.inject({ method: 'POST', url: '/emulator/_tokens/expire' });
    const second = await simulate({ changeType: 'add_external_contact', userId: REP });
    const [row] = await waitFor(settled(second.externalUserId), 'the second add');
    expect(row!.status).toBe('done');
    expect((await calls('/cgi-bin/gettoken')).length).toBe(tokensBefore + 1);
    const gets = await calls('/cgi-bin/externalcontact/get');
    expect(gets.map((c) => c.response.errcode).slice(-2)).toEqual([42001, 0]);
  });

  it('errcode -1 twice is retried and succeeds', async () => {
    app = await startApp();
    await app.inject({
      method: 'POST',
      url: '/emulator/_faults',
      payload: { path: '/cgi-bin/externalcontact/get', count: 2, errcode: -1 },
    });
    const { externalUserId } = await simulate({ changeType: 'add_external_contact', userId: REP });
    const [row] = await waitFor(settled(externalUserId), 'the add');
    expect(row!.status).toBe('done');
    const gets = await calls('/cgi-bin/externalcontact/get');
    expect(gets.map((c) => c.response.errcode)).toEqual([-1, -1, 0]);
  });

  it('84061 (WeCom knows no such relation) ignores the add with its reason, without retrying, counting nothing', async () => {
    app = await startApp();
    await app.inject({
      method: 'POST',
      url: '/emulator/_faults',
      payload: { path: '/cgi-bin/externalcontact/get', count: 5, errcode: 84061 },
    });
    const { externalUserId } = await simulate({ changeType: 'add_external_contact', userId: REP });
    const [row] = await waitFor(settled(externalUserId), 'the add to settle');
    expect(row!.status).toBe('ignored');
    expect(row!.attempts).toBe(1);
    expect(row!.last_error).toBe('WeCom does not confirm that this rep follows the customer');
    await new Promise((r) => setTimeout(r, 300));
    expect((await calls('/cgi-bin/externalcontact/get')).length).toBe(1);
    // An add WeCom does not confirm leaves no customer, follow or timeline item behind.
    expect(await contactOf(externalUserId)).toBeUndefined();
    expect(await followsOf(externalUserId)).toEqual([]);
    const { timelineItems: t } = app.db.t;
    expect(await app.db.select().from(t).where(eq(t.externalUserId, externalUserId))).toEqual([]);
  });
});

describe('durability', () => {
  it('events committed but unprocessed when the app closes are processed by the next start', async () => {
    const leaseMs = 1_000;
    const paused = testConfig({ worker: { concurrency: 0, leaseMs } });
    app = await startApp(paused);
    const a = await simulate({ changeType: 'add_external_contact', userId: REP, name: '重启前客户甲' });
    const b = await simulate({ changeType: 'add_external_contact', userId: 'lina', name: '重启前客户乙' });
    expect((await eventsOf(a.externalUserId))[0]!.status).toBe('pending');
    // An instance that crashed mid-processing leaves its row `running` under its lease: nothing requeues it at
    // boot, whoever works the inbox takes it over once the lease has expired.
    const [leased] = await eventsOf(b.externalUserId);
    const { events } = app.db.t;
    await app.db
      .update(events)
      .set({ status: 'running', leaseOwner: 'crashed-instance', leaseUntil: Date.now() + leaseMs, attempts: 1 })
      .where(eq(events.id, leased!.id));
    await app.close();

    app = await startApp({ ...paused, worker: { ...paused.worker, concurrency: 4 } });
    await waitFor(settled(a.externalUserId), 'event a after restart');
    const [taken] = await waitFor(settled(b.externalUserId), 'event b once its lease expired');
    // Claimed a second time: by the crashed instance, then by this one.
    expect(taken).toMatchObject({ status: 'done', attempts: 2 });
    const { contacts } = app.db.t;
    const names = await app.db
      .select({ name: contacts.name })
      .from(contacts)
      .where(inArray(contacts.externalUserId, [a.externalUserId, b.externalUserId]));
    expect(names.map((n) => n.name).sort()).toEqual(['重启前客户乙', '重启前客户甲'].sort());
  });
});

describe('a loss whose handling failed midway', () => {
  it('is recorded by the retry of its event, once: timeline item, alert', async () => {
    app = await startApp();
    const { externalUserId } = await simulate({ changeType: 'add_external_contact', userId: REP });
    await waitFor(settled(externalUserId), 'the add');
    // The first attempt ends the follow, then its hooks fail (the alert's transaction rolls back).
    const recordAlert = vi
      .spyOn(app.modules.alerts.repo, 'add')
      .mockRejectedValueOnce(new Error('connection lost mid-transaction'));
    await simulate({ changeType: 'del_follow_user', userId: REP, externalUserId });
    const rows = await waitFor(settled(externalUserId), 'the loss');
    expect(recordAlert).toHaveBeenCalledTimes(2);
    expect(rows.at(-1)).toMatchObject({ status: 'done', attempts: 2 });
    expect((await followsOf(externalUserId))[0]).toMatchObject({ status: 'lost', lostReason: 'deleted_by_customer' });
    const { timelineItems: t, alerts } = app.db.t;
    const lost = await app.db
      .select({ kind: t.kind })
      .from(t)
      .where(and(eq(t.externalUserId, externalUserId), eq(t.kind, 'lost')));
    expect(lost).toHaveLength(1);
    const raised = await app.db
      .select({ kind: alerts.kind })
      .from(alerts)
      .where(eq(alerts.externalUserId, externalUserId));
    expect(raised).toEqual([{ kind: 'customer_deleted_rep' }]);
  });
});

describe('machine endpoints and browser pages', () => {
  it('WeCom callbacks and /healthz skip the browser layer; pages and the emulator keep their security headers', async () => {
    app = await startApp();
    const { body, query } = sealedAdd('wmScopeCheck0001');
    const callback = await app.inject({
      method: 'POST',
      url: `/wecom/callback/${DEMO_CORP.corpId}?${query}`,
      headers: { 'content-type': 'text/xml', cookie: 'scrm_session=whatever' },
      payload: body,
    });
    expect(callback.statusCode).toBe(200);
    const health = await app.inject({ url: '/healthz' });
    expect(health.json()).toEqual({ status: 'ok' });
    for (const res of [callback, health]) {
      expect(res.headers['content-security-policy']).toBeUndefined();
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    for (const url of ['/emulator/', '/api/me', '/no-such-page-in-the-browser-scope']) {
      const res = await app.inject({ url });
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
    }
    const page = await app.inject({ url: '/emulator/' });
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
  });
});
