import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildEmulatorApp, ORIGIN, type TestEmulator } from './helpers.js';

describe('emulator: contact ways (渠道活码)', () => {
  let t: TestEmulator;
  beforeEach(async () => {
    t = await buildEmulatorApp();
  });
  afterEach(() => t.close());

  it('adds a scene-2 way with a qr_code URL served by the emulator, and reads it back', async () => {
    const res = await t.post('/cgi-bin/externalcontact/add_contact_way', {
      type: 2,
      scene: 2,
      remark: '门店海报',
      state: 'store_poster_01',
      user: ['lina', 'wangfang'],
      skip_verify: true,
    });
    expect(res.errcode).toBe(0);
    const configId = res.config_id as string;
    expect(configId).toMatch(/^[0-9a-f]{32}$/);
    expect(res.qr_code).toBe(`${ORIGIN}/emulator/qr/${configId}`);

    const got = await t.post('/cgi-bin/externalcontact/get_contact_way', { config_id: configId });
    expect(got.contact_way).toMatchObject({
      config_id: configId,
      type: 2,
      scene: 2,
      remark: '门店海报',
      state: 'store_poster_01',
      user: ['lina', 'wangfang'],
      skip_verify: true,
      qr_code: res.qr_code,
    });
  });

  it('a scene-1 way has no qr_code', async () => {
    const res = await t.post('/cgi-bin/externalcontact/add_contact_way', { type: 1, scene: 1, user: ['lina'] });
    expect(res.errcode).toBe(0);
    expect(res.qr_code).toBeUndefined();
  });

  it('validates: state > 30 chars, type 1 with two users, unknown user, bad type/scene', async () => {
    const base = { type: 1, scene: 2, user: ['lina'] };
    expect((await t.post('/cgi-bin/externalcontact/add_contact_way', { ...base, state: 's'.repeat(30) })).errcode).toBe(
      0,
    );
    expect((await t.post('/cgi-bin/externalcontact/add_contact_way', { ...base, state: 's'.repeat(31) })).errcode).toBe(
      40058,
    );
    expect(
      (await t.post('/cgi-bin/externalcontact/add_contact_way', { ...base, remark: 'r'.repeat(31) })).errcode,
    ).toBe(40058);
    expect(
      (await t.post('/cgi-bin/externalcontact/add_contact_way', { ...base, user: ['lina', 'zhaolei'] })).errcode,
    ).toBe(40058);
    expect((await t.post('/cgi-bin/externalcontact/add_contact_way', { ...base, user: [] })).errcode).toBe(40058);
    expect((await t.post('/cgi-bin/externalcontact/add_contact_way', { ...base, user: ['ghost'] })).errcode).toBe(
      40003,
    );
    expect((await t.post('/cgi-bin/externalcontact/add_contact_way', { ...base, type: 3 })).errcode).toBe(40058);
    expect((await t.post('/cgi-bin/externalcontact/add_contact_way', { ...base, scene: 0 })).errcode).toBe(40058);
    expect((await t.post('/cgi-bin/externalcontact/add_contact_way', { type: 2, scene: 2 })).errcode).toBe(40058);
  });

  it('updates, lists and deletes', async () => {
    const a = (
      await t.post('/cgi-bin/externalcontact/add_contact_way', { type: 2, scene: 2, user: ['lina'], state: 'a' })
    ).config_id as string;
    const b = (
      await t.post('/cgi-bin/externalcontact/add_contact_way', { type: 1, scene: 2, user: ['zhaolei'], state: 'b' })
    ).config_id as string;

    expect(
      (
        await t.post('/cgi-bin/externalcontact/update_contact_way', {
          config_id: a,
          remark: '直播间',
          state: 'live_618',
          user: ['lina', 'chenjing'],
        })
      ).errcode,
    ).toBe(0);
    const got = (await t.post('/cgi-bin/externalcontact/get_contact_way', { config_id: a })).contact_way;
    expect(got).toMatchObject({ remark: '直播间', state: 'live_618', user: ['lina', 'chenjing'] });
    expect(
      (await t.post('/cgi-bin/externalcontact/update_contact_way', { config_id: a, state: 'x'.repeat(31) })).errcode,
    ).toBe(40058);
    expect(
      (await t.post('/cgi-bin/externalcontact/update_contact_way', { config_id: b, user: ['lina', 'chenjing'] }))
        .errcode,
    ).toBe(40058);
    expect(
      (await t.post('/cgi-bin/externalcontact/update_contact_way', { config_id: 'nope', remark: 'x' })).errcode,
    ).toBe(40058);

    const listed = await t.post('/cgi-bin/externalcontact/list_contact_way', { limit: 1 });
    expect((listed.contact_way as unknown[]).length).toBe(1);
    expect(listed.next_cursor).toBe('1');
    const rest = await t.post('/cgi-bin/externalcontact/list_contact_way', { limit: 1, cursor: listed.next_cursor });
    expect(
      [
        (listed.contact_way as { config_id: string }[])[0]!.config_id,
        (rest.contact_way as { config_id: string }[])[0]!.config_id,
      ].sort(),
    ).toEqual([a, b].sort());

    expect((await t.post('/cgi-bin/externalcontact/del_contact_way', { config_id: a })).errcode).toBe(0);
    expect((await t.post('/cgi-bin/externalcontact/get_contact_way', { config_id: a })).errcode).toBe(40058);
    expect((await t.post('/cgi-bin/externalcontact/del_contact_way', { config_id: a })).errcode).toBe(40058);
    const qr = await t.app.inject({ url: `/emulator/qr/${a}` });
    expect(qr.statusCode).toBe(404);
    expect(qr.body).toContain('渠道活码不存在');
  });
});
