import { BadRequestError } from '../../errors.js';
import type { JsapiSigner } from '../../wecom/jsapi.js';
import { callWecom } from '../wecom-call.js';

/** What the service needs of a corp's JS-SDK signer (server/wecom/jsapi.ts). */
export type Signer = Pick<JsapiSigner, 'corpId' | 'agentId' | 'configSignature' | 'agentConfigSignature'>;

/** The page URL the JS-SDK signs: absolute http(s), without its `#fragment` (wecom-protocol.md §5.2). */
export function signableUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new BadRequestError('url 必须是完整的 http(s) 地址', 'url');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new BadRequestError('url 必须是完整的 http(s) 地址', 'url');
  // Sign exactly what the page has (no re-encoding), minus the fragment.
  return raw.split('#', 1)[0] ?? raw;
}

/** Both signatures `ww.register` asks for, for the rep's corp. */
export function createJsapiService(deps: { signer: (corpId: string) => Signer }) {
  return {
    async signatures(corpId: string, rawUrl: string) {
      const url = signableUrl(rawUrl);
      const signer = deps.signer(corpId);
      const [config, agentConfig] = await callWecom(() =>
        Promise.all([signer.configSignature(url), signer.agentConfigSignature(url)]),
      );
      return { corpId: signer.corpId, agentId: Number(signer.agentId), config, agentConfig };
    },
  };
}
export type JsapiService = ReturnType<typeof createJsapiService>;
