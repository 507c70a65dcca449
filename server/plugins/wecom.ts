import fp from 'fastify-plugin';
import { createWecomApi, type WecomApi } from '../wecom/api.js';
import { WecomClient } from '../wecom/client.js';
import { TokenCache } from '../wecom/token-cache.js';
import { JsapiSigner } from '../wecom/jsapi.js';
import { NotFoundError } from '../errors.js';

declare module 'fastify' {
  interface FastifyInstance {
    wecom: {
      api(corpId: string): WecomApi;
      jsapi(corpId: string): JsapiSigner;
      /** Base of the WeCom API in use (qyapi, or our emulator). */
      apiBase(): string;
    };
  }
}

/**
 * One WeCom client per corp, sharing a token cache. With no WECOM_API_BASE (demo mode, tests)
 * the API is our own emulator, whose address is known only once the server listens.
 */
export default fp(
  async (app, opts: { apiBase: string | null; timeoutMs?: number; retryBaseMs?: number }) => {
    const tokens = new TokenCache();
    const apis = new Map<string, WecomApi>();
    const signers = new Map<string, JsapiSigner>();
    const apiBase = () => opts.apiBase ?? `${app.origin.internal()}/emulator`;

    function api(corpId: string): WecomApi {
      let found = apis.get(corpId);
      if (!found) {
        const corp = app.corps.find(corpId);
        if (!corp) throw new NotFoundError('企业不存在');
        const client = new WecomClient({
          baseUrl: apiBase,
          corpId: corp.corpId,
          secret: corp.secret,
          tokenCache: tokens,
          timeoutMs: opts.timeoutMs,
          retryBaseMs: opts.retryBaseMs,
          log: app.log,
        });
        found = createWecomApi(client);
        apis.set(corpId, found);
      }
      return found;
    }

    function jsapi(corpId: string): JsapiSigner {
      let found = signers.get(corpId);
      if (!found) {
        const corp = app.corps.find(corpId);
        if (!corp) throw new NotFoundError('企业不存在');
        found = new JsapiSigner({ corpId: corp.corpId, agentId: corp.agentId, api: api(corpId) });
        signers.set(corpId, found);
      }
      return found;
    }

    app.decorate('wecom', { api, jsapi, apiBase });
  },
  { name: 'wecom', dependencies: ['corps', 'origin'] },
);
