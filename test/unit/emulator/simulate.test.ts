import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decryptMessage, openCallback } from '../../../server/wecom/crypto.js';
import { parseEnvelope, parseEvent, type ExternalContactEvent } from '../../../server/wecom/events.js';
import { DEMO_CORP } from '../../../server/emulator/index.js';
import {
  BASE_MS,
  buildEmulatorApp,
  CRED,
  startReceiver,
  type CallbackReceiver,
  type ReceivedCallback,
  type TestEmulator,
} from './helpers.js';

/** Verifies the signature and decrypts one received callback, as our server must. */
function open(cb: ReceivedCallback): ExternalContactEvent {
  const envelope = parseEnvelope(cb.body);
  expect(envelope.toUserName).toBe(DEMO_CORP.corpId);
  expect(envelope.agentId).toBe(String(DEMO_CORP.agentId));
  const xml = openCallback(
    CRED,
    { msgSignature: cb.query.msg_signature!, timestamp: cb.query.timestamp!, nonce: cb.query.nonce! },
    envelope.encrypt,
  );
  const event = parseEvent(xml);
  if (event.kind !== 'external_contact') throw new Error(`unexpected event ${event.kind}`);
  return event;
}

describe('emulator: simulated callbacks', () => {
  let receiver: CallbackReceiver;
  let t: TestEmulator;
  beforeEach(async () => {
    receiver = await startReceiver();
    t = await buildEmulatorApp({ callbackUrl: () => receiver.url, deliveryTimeoutMs: 300 });
  });
  afterEach(async () => {
    await t.close();
    await receiver.close();
  });

  const simulate = (payload: Record<string, unknown>) =>
    t.app.inject({ method: 'POST', url: '/emulator/_simulate', payload });

  it('an add creates a customer and delivers the same encrypted event 4 times, each decrypting and verifying', async () => {
    const res = await simulate({
      changeType: 'add_external_contact',
      userId: 'liuyang',
      state: 'live_618',
      name: '测试客户',
      deliveries: 4,
    });
    expect(res.statusCode).toBe(200);
    const result = res.json() as {
      externalUserId: string;
      welcomeCode: string;
      deliveries: { delivery: number; attempt: number; status: number; ms: number }[];
    };
    expect(result.externalUserId).toMatch(/^wm[A-Za-z0-9_-]{30}$/);
    expect(result.deliveries.map((d) => [d.delivery, d.attempt, d.status])).toEqual([
      [1, 1, 200],
      [2, 1, 200],
      [3, 1, 200],
      [4, 1, 200],
    ]);
    expect(receiver.received).toHaveLength(4);

    const events = receiver.received.map(open);
    const plaintexts = receiver.received.map((cb) =>
      decryptMessage(DEMO_CORP.encodingAesKey, parseEnvelope(cb.body).encrypt, DEMO_CORP.corpId),
    );
    expect(new Set(plaintexts).size).toBe(1); // the same event every time (dedupe must catch it)
    expect(new Set(receiver.received.map((cb) => parseEnvelope(cb.body).encrypt)).size).toBe(4); // freshly sealed each time
    for (const e of events) {
      expect(e).toMatchObject({
        toUserName: DEMO_CORP.corpId,
        fromUserName: 'sys',
        createTime: Math.floor(BASE_MS / 1000),
        changeType: 'add_external_contact',
        userId: 'liuyang',
        externalUserId: result.externalUserId,
        state: 'live_618',
        welcomeCode: result.welcomeCode,
      });
    }
    expect(receiver.received[0]!.query.timestamp).toBe(String(Math.floor(BASE_MS / 1000)));
    expect(receiver.received[0]!.contentType).toContain('xml');

    // The customer is real: the API serves it with the follow the event described.
    const got = await t.get('/cgi-bin/externalcontact/get', { external_userid: result.externalUserId });
    expect(got.external_contact).toMatchObject({ name: '测试客户' });
    expect(got.follow_user).toEqual([
      expect.objectContaining({
        userid: 'liuyang',
        state: 'live_618',
        add_way: 1,
        oper_userid: result.externalUserId,
        createtime: Math.floor(BASE_MS / 1000),
      }),
    ]);
  });

  it('retries a delivery answered with 500, resending the identical request', async () => {
    receiver.plan({ status: 500 }, { status: 503 });
    const res = await simulate({ changeType: 'add_external_contact', userId: 'lina' });
    const deliveries = res.json().deliveries as { attempt: number; status: number }[];
    expect(deliveries.map((d) => [d.attempt, d.status])).toEqual([
      [1, 500],
      [2, 503],
      [3, 200],
    ]);
    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);
    expect(new Set(receiver.received.map((r) => r.query.msg_signature)).size).toBe(1);
  });

  it('gives up after 3 retries', async () => {
    receiver.plan({ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 }, { status: 500 });
    const res = await simulate({ changeType: 'add_external_contact', userId: 'lina' });
    expect((res.json().deliveries as unknown[]).length).toBe(4);
    expect(receiver.received).toHaveLength(4);
  });

  it('aborts an attempt that gets no answer within the timeout and retries it', async () => {
    receiver.plan({ status: 200, delayMs: 1000 });
    const res = await simulate({ changeType: 'add_external_contact', userId: 'lina' });
    const deliveries = res.json().deliveries as {
      attempt: number;
      status: number | null;
      error?: string;
      ms: number;
    }[];
    expect(deliveries).toHaveLength(2);
    expect(deliveries[0]).toMatchObject({ attempt: 1, status: null, error: expect.stringContaining('timeout') });
    expect(deliveries[0]!.ms).toBeLessThan(900);
    expect(deliveries[1]).toMatchObject({ attempt: 2, status: 200 });
  });

  it('welcomeCode:false omits WelcomeCode; an existing customer can add another rep', async () => {
    const seeded = t.emulator.snapshot().customers.find((c) => !c.follow_user.some((f) => f.userid === 'zhouxin'))!;
    const res = await simulate({
      changeType: 'add_external_contact',
      userId: 'zhouxin',
      externalUserId: seeded.external_userid,
      welcomeCode: false,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().welcomeCode).toBeNull();
    const e = open(receiver.received[0]!);
    expect(e.welcomeCode).toBeUndefined();
    expect(e.state).toBeUndefined();
    expect(e.externalUserId).toBe(seeded.external_userid);
    const follows = t.emulator
      .snapshot()
      .customers.find((c) => c.external_userid === seeded.external_userid)!.follow_user;
    expect(follows.map((f) => f.userid)).toContain('zhouxin');
  });

  it('edit changes the follow’s description; del_follow_user and del_external_contact remove the follow', async () => {
    const c = t.emulator.snapshot().customers.find((x) => x.follow_user.length === 2)!;
    const [a, b] = c.follow_user.map((f) => f.userid) as [string, string];
    const before = c.follow_user[0]!.description;

    await simulate({ changeType: 'edit_external_contact', userId: a, externalUserId: c.external_userid });
    const edited = (await t.get('/cgi-bin/externalcontact/get', { external_userid: c.external_userid }))
      .follow_user as { userid: string; description: string }[];
    expect(edited.find((f) => f.userid === a)!.description).not.toBe(before);
    expect(open(receiver.received[0]!)).toMatchObject({
      changeType: 'edit_external_contact',
      userId: a,
      welcomeCode: undefined,
    });

    await simulate({ changeType: 'del_follow_user', userId: a, externalUserId: c.external_userid });
    const left = (await t.get('/cgi-bin/externalcontact/get', { external_userid: c.external_userid })).follow_user as {
      userid: string;
    }[];
    expect(left.map((f) => f.userid)).toEqual([b]);
    await simulate({ changeType: 'del_external_contact', userId: b, externalUserId: c.external_userid });
    expect((await t.get('/cgi-bin/externalcontact/get', { external_userid: c.external_userid })).errcode).toBe(84061);
    expect(receiver.received.map((r) => open(r).changeType)).toEqual([
      'edit_external_contact',
      'del_follow_user',
      'del_external_contact',
    ]);
  });

  it('validates its body with clear 400s', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ changeType: 'add_external_contact', userId: 'ghost' }, /unknown rep/],
      [{ changeType: 'transfer_fail', userId: 'lina' }, /changeType/],
      [{ changeType: 'del_follow_user', userId: 'lina' }, /externalUserId is required/],
      [{ changeType: 'edit_external_contact', userId: 'lina', externalUserId: 'wmNope' }, /unknown externalUserId/],
      [{ changeType: 'add_external_contact', userId: 'lina', deliveries: 11 }, /deliveries/],
      [{ changeType: 'add_external_contact', userId: 'lina', deliveries: 0 }, /deliveries/],
      [{ changeType: 'add_external_contact', userId: 'lina', state: 'x'.repeat(31) }, /state/],
      [{ changeType: 'add_external_contact' }, /userId/],
    ];
    for (const [payload, message] of cases) {
      const res = await simulate(payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().message).toMatch(message);
    }
    const notFollowing = t.emulator.snapshot().customers.find((c) => !c.follow_user.some((f) => f.userid === 'lina'))!;
    const res = await simulate({
      changeType: 'del_follow_user',
      userId: 'lina',
      externalUserId: notFollowing.external_userid,
    });
    expect(res.statusCode).toBe(400);
    expect(receiver.received).toHaveLength(0);
  });

  it('records the callbacks in _state', async () => {
    await simulate({ changeType: 'add_external_contact', userId: 'lina', state: 'abc' });
    const state = (await t.app.inject({ url: '/emulator/_state' })).json();
    expect(state.corp).toEqual({ corpId: DEMO_CORP.corpId, corpName: DEMO_CORP.corpName, agentId: DEMO_CORP.agentId });
    expect(state.customers).toHaveLength(31);
    expect(state.callbacks).toEqual([
      expect.objectContaining({ changeType: 'add_external_contact', userId: 'lina', state: 'abc' }),
    ]);
    for (const key of ['departments', 'reps', 'tagGroups', 'contactWays', 'welcomeMessages', 'webhookMessages'])
      expect(Array.isArray(state[key])).toBe(true);
  });
});
