import type { ModuleContext } from '../context.js';
import type { ModuleManifest } from '../manifest.js';
import { jsapiRoutes } from './routes.js';
import { createJsapiService, type Signer } from './service.js';

/**
 * JS-SDK signatures for the sidebar's `ww.register`. The signers (ticket caches, one fetch in flight) belong to the
 * WeCom plugin: pass its `jsapi(corpId)`.
 */
export function createJsapiModule(_ctx: ModuleContext, deps: { signer: (corpId: string) => Signer }) {
  const service = createJsapiService({ signer: deps.signer });
  const manifest: ModuleManifest = {
    name: 'jsapi',
    routes: [async (app) => app.register(jsapiRoutes, { service })],
  };
  return { manifest, service };
}
export type JsapiModule = ReturnType<typeof createJsapiModule>;
