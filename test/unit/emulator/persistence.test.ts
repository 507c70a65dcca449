import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEmulator, DEMO_CORP, type EmulatorOptions } from '../../../server/emulator/index.js';
import { BASE_MS, ORIGIN } from './helpers.js';

describe('emulator: seed determinism and the state file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wecom-emulator-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const options = (extra: Partial<EmulatorOptions> = {}): EmulatorOptions => ({
    corp: DEMO_CORP,
    callbackUrl: () => 'http://127.0.0.1:9/never',
    publicOrigin: () => ORIGIN,
    now: () => BASE_MS,
    retryDelayMs: 0,
    ...extra,
  });

  it('seeds the same ids on every start', () => {
    const a = createEmulator(options()).snapshot();
    const b = createEmulator(options({ now: () => BASE_MS + 86_400_000 })).snapshot();
    expect(b.customers.map((c) => c.external_userid)).toEqual(a.customers.map((c) => c.external_userid));
    expect(b.customers.map((c) => c.name)).toEqual(a.customers.map((c) => c.name));
    expect(b.tagGroups.map((g) => [g.group_id, g.tag.map((x) => x.id)])).toEqual(
      a.tagGroups.map((g) => [g.group_id, g.tag.map((x) => x.id)]),
    );
    expect(b.groupChats.map((g) => g.chat_id)).toEqual(a.groupChats.map((g) => g.chat_id));
  });

  it('seed:false keeps the directory but no customers, tags or groups', () => {
    const s = createEmulator(options({ seed: false })).snapshot();
    expect(s.reps.length).toBeGreaterThanOrEqual(6);
    expect(s.customers).toEqual([]);
    expect(s.tagGroups).toEqual([]);
    expect(s.groupChats).toEqual([]);
  });

  it('customers added in demo mode survive a restart', async () => {
    const statePath = join(dir, 'nested', 'emulator-state.json');
    const first = createEmulator(options({ statePath }));
    const added = await first.simulate({
      changeType: 'add_external_contact',
      userId: 'lina',
      name: '持久客户',
      state: 'keep_me',
    });
    const token = (
      await first.handleApi({
        method: 'GET',
        path: '/cgi-bin/gettoken',
        query: { corpid: DEMO_CORP.corpId, corpsecret: DEMO_CORP.secret },
        body: undefined,
      })
    ).payload.access_token as string;
    const way = await first.handleApi({
      method: 'POST',
      path: '/cgi-bin/externalcontact/add_contact_way',
      query: { access_token: token },
      body: { type: 1, scene: 2, user: ['lina'], state: 'saved_way' },
    });
    expect(way.payload.errcode).toBe(0);
    await first.close();
    // Written atomically: only the final file, no temp files left behind.
    expect(readdirSync(join(dir, 'nested'))).toEqual(['emulator-state.json']);
    expect(JSON.parse(readFileSync(statePath, 'utf8')).customers).toHaveLength(31);

    const second = createEmulator(options({ statePath }));
    const s = second.snapshot();
    const customer = s.customers.find((c) => c.external_userid === added.externalUserId);
    expect(customer).toMatchObject({ name: '持久客户' });
    expect(customer!.follow_user[0]).toMatchObject({ userid: 'lina', state: 'keep_me' });
    expect(s.contactWays.map((w) => w.config_id)).toEqual([way.payload.config_id]);
    // Tokens are not persisted: a client's cached token is unknown after a restart and must be refetched.
    const stale = await second.handleApi({
      method: 'GET',
      path: '/cgi-bin/user/get',
      query: { access_token: token, userid: 'lina' },
      body: undefined,
    });
    expect(stale.payload.errcode).toBe(40014);
    await second.close();
  });

  it('saves changes without close() after the debounce', async () => {
    const statePath = join(dir, 'state.json');
    const em = createEmulator(options({ statePath }));
    const added = await em.simulate({ changeType: 'add_external_contact', userId: 'lina' });
    await new Promise((r) => setTimeout(r, 400));
    expect(readFileSync(statePath, 'utf8')).toContain(added.externalUserId);
    await em.close();
  });

  it('ignores a corrupt or foreign state file and reseeds', () => {
    const statePath = join(dir, 'state.json');
    writeFileSync(statePath, '{"version":1,"corpId":"wwother","customers":[]}');
    expect(createEmulator(options({ statePath })).snapshot().customers).toHaveLength(30);
    writeFileSync(statePath, 'not json');
    expect(createEmulator(options({ statePath })).snapshot().customers).toHaveLength(30);
  });
});
