import { createHash } from 'node:crypto';
import { describe, it, expect } from 'vitest';
import type { TicketResponse } from '../../../server/wecom/types.js';
import { JsapiSigner, signJsapi } from '../../../server/wecom/jsapi.js';
import { deferred } from './fake-wecom.js';
import { vectorC } from './vectors.js';

describe('signJsapi', () => {
  it('reproduces the official example (vector C)', () => {
    expect(signJsapi(vectorC)).toBe('0f9de62fce790f9a083d5c99e95740ceb90c27ed');
  });

  it('ignores the #fragment of the URL', () => {
    expect(signJsapi({ ...vectorC, url: `${vectorC.url}#/customer/42?tab=notes` })).toBe(vectorC.signature);
    expect(signJsapi({ ...vectorC, url: `${vectorC.url}#` })).toBe(vectorC.signature);
  });

  it('signs the URL as given, without re-encoding, and accepts a string timestamp', () => {
    const url = 'https://scrm.example.com/sidebar/?a=1&b=%E4%B8%AD';
    const expected = createHash('sha1')
      .update(`jsapi_ticket=${vectorC.ticket}&noncestr=${vectorC.nonceStr}&timestamp=${vectorC.timestamp}&url=${url}`)
      .digest('hex');
    expect(signJsapi({ ...vectorC, url })).toBe(expected);
    expect(signJsapi({ ...vectorC, timestamp: String(vectorC.timestamp) })).toBe(vectorC.signature);
  });

  it('refuses empty inputs instead of signing random values', () => {
    expect(() => signJsapi({ ...vectorC, nonceStr: '' })).toThrow(TypeError);
    expect(() => signJsapi({ ...vectorC, ticket: '' })).toThrow(TypeError);
  });
});

function fakeTicketApi(expiresIn = 7200) {
  const counts = { corp: 0, agent: 0 };
  return {
    counts,
    api: {
      getJsapiTicket: async (): Promise<TicketResponse> => ({
        errcode: 0,
        ticket: `corp-${++counts.corp}`,
        expires_in: expiresIn,
      }),
      getAgentConfigTicket: async (): Promise<TicketResponse> => ({
        errcode: 0,
        ticket: `agent-${++counts.agent}`,
        expires_in: expiresIn,
      }),
    },
  };
}

describe('JsapiSigner', () => {
  it('fetches the corp ticket once, reuses it until shortly before expiry, then refetches', async () => {
    let now = 1_700_000_000_000;
    const { api, counts } = fakeTicketApi();
    const signer = new JsapiSigner({
      corpId: 'ww1',
      agentId: 1000002,
      api,
      now: () => now,
      randomNonce: () => 'NONCE',
    });
    const url = 'https://scrm.example.com/sidebar/';

    const first = await signer.configSignature(url);
    expect(first).toEqual({
      timestamp: 1_700_000_000,
      nonceStr: 'NONCE',
      signature: signJsapi({ ticket: 'corp-1', nonceStr: 'NONCE', timestamp: 1_700_000_000, url }),
    });

    now += 60 * 60 * 1000; // +1 h
    const later = await signer.configSignature(`${url}#/chat`);
    expect(later.signature).toBe(signJsapi({ ticket: 'corp-1', nonceStr: 'NONCE', timestamp: later.timestamp, url }));
    expect(counts.corp).toBe(1);

    now += (7200 - 3600 - 299) * 1000; // 4 min 59 s before WeCom's expiry: retired already
    const renewed = await signer.configSignature(url);
    expect(counts.corp).toBe(2);
    expect(renewed.signature).toBe(
      signJsapi({ ticket: 'corp-2', nonceStr: 'NONCE', timestamp: renewed.timestamp, url }),
    );
    expect(counts.agent).toBe(0);
  });

  it('caches the agent_config ticket separately and signs with it', async () => {
    const { api, counts } = fakeTicketApi();
    const signer = new JsapiSigner({
      corpId: 'ww1',
      agentId: '1000002',
      api,
      now: () => 1_000_000,
      randomNonce: () => 'N',
    });
    const a = await signer.agentConfigSignature('https://x/');
    await signer.agentConfigSignature('https://x/other');
    await signer.configSignature('https://x/');
    expect(counts).toEqual({ corp: 1, agent: 1 });
    expect(a.signature).toBe(signJsapi({ ticket: 'agent-1', nonceStr: 'N', timestamp: 1000, url: 'https://x/' }));
  });

  it('shares one in-flight fetch between concurrent requests, and does not cache failures', async () => {
    const gate = deferred<void>();
    let fetches = 0;
    let fail = true;
    const api = {
      getJsapiTicket: async (): Promise<TicketResponse> => {
        fetches++;
        await gate.promise;
        if (fail) throw new Error('ticket fetch failed');
        return { ticket: 'T', expires_in: 7200 };
      },
      getAgentConfigTicket: async (): Promise<TicketResponse> => ({ ticket: 'A', expires_in: 7200 }),
    };
    const signer = new JsapiSigner({ corpId: 'ww1', agentId: 1, api });
    const pending = Array.from({ length: 5 }, () => signer.configSignature('https://x/'));
    gate.resolve();
    const results = await Promise.allSettled(pending);
    expect(fetches).toBe(1);
    expect(results.every((r) => r.status === 'rejected')).toBe(true);

    fail = false;
    const ok = await signer.configSignature('https://x/');
    expect(fetches).toBe(2);
    expect(ok.nonceStr).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(ok.signature).toBe(
      signJsapi({ ticket: 'T', nonceStr: ok.nonceStr, timestamp: ok.timestamp, url: 'https://x/' }),
    );
  });
});
