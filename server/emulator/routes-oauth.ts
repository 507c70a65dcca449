import type { FastifyInstance } from 'fastify';
import { ok, type ApiRoute } from './cgi.js';
import type { EmulatorCore } from './core.js';
import { fail } from './errcodes.js';
import { errorPage } from './html.js';
import { newOpaqueToken } from './ids.js';
import { renderAuthorizePage, type AuthorizeParams } from './oauth-page.js';

const SCOPES = ['snsapi_base', 'snsapi_privateinfo'];

/** auth/getuserinfo: exchanges a single-use, 5-minute OAuth code for the member's userid (§4.14, [D-96442]). */
export function oauthApiRoutes(core: EmulatorCore): ApiRoute[] {
  return [
    {
      method: 'GET',
      path: '/cgi-bin/auth/getuserinfo',
      handler: (req) => {
        const code = req.query.code;
        if (!code) fail('missingOAuthCode');
        const record = core.credentials.redeemOAuthCode(code);
        if (!record) fail('invalidOAuthCode');
        return ok({
          userid: record.userid,
          ...(record.scope === 'snsapi_privateinfo' ? { user_ticket: newOpaqueToken(64), expires_in: 1800 } : {}),
        });
      },
    },
  ];
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * WeCom only redirects to the app's 可信域名 (else 50001). Here that is the emulator's public host, plus loopback
 * hosts for development (any port), so a public demo cannot be used as an open redirector.
 */
export function isTrustedHost(core: EmulatorCore, hostname: string): boolean {
  let publicHost = '';
  try {
    publicHost = new URL(core.publicOrigin()).hostname;
  } catch {
    // publicOrigin is configured by the app; an invalid one trusts loopback only
  }
  return hostname === publicHost || LOOPBACK.has(hostname);
}

/** Returns the problem with an authorize request (in Chinese, for the error page), or null. */
function authorizeProblem(core: EmulatorCore, p: AuthorizeParams): string | null {
  if (p.appid !== core.corp.corpId) return `appid「${p.appid}」不是本企业的企业 ID（CorpID）。`;
  let url: URL;
  try {
    url = new URL(p.redirect_uri);
  } catch {
    return 'redirect_uri 必须是完整的 http(s) 地址。';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'redirect_uri 必须是完整的 http(s) 地址。';
  if (!isTrustedHost(core, url.hostname)) {
    return `redirect_uri 的域名「${url.hostname}」不是应用的可信域名（与企业微信返回 50001 的情形相同）。`;
  }
  if (p.response_type !== 'code') return 'response_type 必须为 code。';
  if (!SCOPES.includes(p.scope)) return `scope 必须为 snsapi_base 或 snsapi_privateinfo。`;
  if (p.scope === 'snsapi_privateinfo' && !p.agentid) return 'scope 为 snsapi_privateinfo 时必须填写 agentid。';
  if (p.agentid && p.agentid !== String(core.corp.agentId)) return `agentid「${p.agentid}」不是本企业的应用。`;
  if (Buffer.byteLength(p.state, 'utf8') > 128) return 'state 不能超过 128 个字节。';
  return null;
}

function paramsOf(source: Record<string, unknown>): AuthorizeParams {
  const s = (k: string) => (typeof source[k] === 'string' ? (source[k] as string) : '');
  return {
    appid: s('appid'),
    redirect_uri: s('redirect_uri'),
    response_type: s('response_type') || 'code',
    scope: s('scope') || 'snsapi_base',
    state: s('state'),
    agentid: s('agentid'),
  };
}

/**
 * The OAuth2 authorize page (open.weixin.qq.com/connect/oauth2/authorize): lists the corp's members; choosing one
 * redirects to redirect_uri with `code` and `state`, as WeCom does after its silent login.
 */
export function registerOAuthPages(
  app: FastifyInstance,
  core: EmulatorCore,
  formBody: (body: unknown) => Record<string, string>,
): void {
  app.get('/connect/oauth2/authorize', async (req, reply) => {
    const params = paramsOf(req.query as Record<string, unknown>);
    const problem = authorizeProblem(core, params);
    reply.type('text/html; charset=utf-8');
    if (problem) return reply.status(400).send(errorPage('无法登录', problem));
    return renderAuthorizePage(core, params);
  });

  app.post('/connect/oauth2/authorize', async (req, reply) => {
    const form = formBody(req.body);
    const params = paramsOf(form);
    const problem = authorizeProblem(core, params);
    const rep = core.findRep(form.userid ?? '');
    if (problem || !rep) {
      return reply
        .status(400)
        .type('text/html; charset=utf-8')
        .send(errorPage('无法登录', problem ?? `成员「${form.userid ?? ''}」不存在。`));
    }
    const target = new URL(params.redirect_uri);
    target.searchParams.set('code', core.credentials.issueOAuthCode(rep.userid, params.scope));
    target.searchParams.set('state', params.state);
    return reply.redirect(target.toString(), 302);
  });
}
