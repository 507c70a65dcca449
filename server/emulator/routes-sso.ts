import type { FastifyInstance } from 'fastify';
import type { EmulatorCore } from './core.js';
import { errorPage, escapeHtml, layout } from './html.js';
import { isTrustedHost } from './routes-oauth.js';

/** WeCom's web sign-in (企业微信扫码登录, login.work.weixin.qq.com/wwlogin/sso/login) as the emulator plays it. */
interface SsoParams {
  login_type: string;
  appid: string;
  agentid: string;
  redirect_uri: string;
  state: string;
}

function paramsOf(source: Record<string, unknown>): SsoParams {
  const s = (k: string) => (typeof source[k] === 'string' ? (source[k] as string) : '');
  return {
    login_type: s('login_type'),
    appid: s('appid'),
    agentid: s('agentid'),
    redirect_uri: s('redirect_uri'),
    state: s('state'),
  };
}

/** The problem with a sign-in request (Chinese, for the error page), or null. */
function problemOf(core: EmulatorCore, p: SsoParams): string | null {
  if (p.login_type !== 'CorpApp') return 'login_type 必须为 CorpApp（企业自建应用）。';
  if (p.appid !== core.corp.corpId) return `appid「${p.appid}」不是本企业的企业 ID（CorpID）。`;
  if (p.agentid !== String(core.corp.agentId)) return `agentid「${p.agentid}」不是本企业的应用。`;
  let url: URL;
  try {
    url = new URL(p.redirect_uri);
  } catch {
    return 'redirect_uri 必须是完整的 http(s) 地址。';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'redirect_uri 必须是完整的 http(s) 地址。';
  if (!isTrustedHost(core, url.hostname)) {
    return `redirect_uri 的域名「${url.hostname}」不是应用的授权回调域。`;
  }
  if (Buffer.byteLength(p.state, 'utf8') > 128) return 'state 不能超过 128 个字节。';
  return null;
}

function renderPage(core: EmulatorCore, params: SsoParams): string {
  const hidden = Object.entries(params)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('');
  const items = core.data.reps
    .map((r) => {
      const dept = core.data.departments.find((d) => d.id === r.main_department)?.name ?? '';
      return `<li><img class="avatar" src="${escapeHtml(core.avatarUrl(r.userid))}" alt="">
<div class="grow"><div>${escapeHtml(r.name)} <span class="muted">${escapeHtml(r.position)}</span></div><div class="muted">${escapeHtml(dept)}</div></div>
<form method="post" action="/emulator/wwlogin/sso/login">${hidden}<input type="hidden" name="userid" value="${escapeHtml(r.userid)}"><button type="submit" data-userid="${escapeHtml(r.userid)}">${escapeHtml(r.name)}扫码确认登录</button></form></li>`;
    })
    .join('');
  const cancel = new URL(params.redirect_uri);
  cancel.searchParams.set('state', params.state);
  const body = `<div class="card">
<h1>企业微信扫码登录（模拟器）</h1>
<p class="muted">${escapeHtml(core.corp.corpName)} · 真实环境中成员用企业微信扫描二维码并确认；这里选择扫码的成员。</p>
<ul class="list">${items}</ul>
<p><a href="${escapeHtml(cancel.toString())}">取消登录</a></p>
</div>`;
  return layout('企业微信扫码登录', body);
}

/**
 * The sign-in page lists the corp's members; choosing one redirects to redirect_uri with `code` and `state`, as
 * WeCom does after the member scans and confirms (the code is redeemed with auth/getuserinfo, single use, 5 min).
 */
export function registerSsoPages(
  app: FastifyInstance,
  core: EmulatorCore,
  formBody: (body: unknown) => Record<string, string>,
): void {
  app.get('/wwlogin/sso/login', async (req, reply) => {
    const params = paramsOf(req.query as Record<string, unknown>);
    const problem = problemOf(core, params);
    reply.type('text/html; charset=utf-8');
    if (problem) return reply.status(400).send(errorPage('无法登录', problem));
    return renderPage(core, params);
  });

  app.post('/wwlogin/sso/login', async (req, reply) => {
    const form = formBody(req.body);
    const params = paramsOf(form);
    const problem = problemOf(core, params);
    const rep = core.findRep(form.userid ?? '');
    if (problem || !rep) {
      return reply
        .status(400)
        .type('text/html; charset=utf-8')
        .send(errorPage('无法登录', problem ?? `成员「${form.userid ?? ''}」不存在。`));
    }
    const target = new URL(params.redirect_uri);
    target.searchParams.set('code', core.credentials.issueOAuthCode(rep.userid, 'snsapi_base'));
    target.searchParams.set('state', params.state);
    return reply.redirect(target.toString(), 302);
  });
}
