import type { EmulatorCore } from './core.js';
import { escapeHtml, layout } from './html.js';

export interface AuthorizeParams {
  appid: string;
  redirect_uri: string;
  response_type: string;
  scope: string;
  state: string;
  agentid: string;
}

/** The member picker that stands in for WeCom's silent OAuth: choose who "opened" the app. */
export function renderAuthorizePage(core: EmulatorCore, params: AuthorizeParams): string {
  const hidden = Object.entries(params)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('');
  const sections = core.data.departments
    .map((dept) => {
      const reps = core.data.reps.filter((r) => r.main_department === dept.id);
      if (reps.length === 0) return '';
      const items = reps
        .map(
          (r) => `<li><img class="avatar" src="${escapeHtml(core.avatarUrl(r.userid))}" alt="">
<div class="grow"><div>${escapeHtml(r.name)} <span class="muted">${escapeHtml(r.position)}</span></div><div class="muted">${escapeHtml(dept.name)}</div></div>
<form method="post" action="/emulator/connect/oauth2/authorize">${hidden}<input type="hidden" name="userid" value="${escapeHtml(r.userid)}"><button type="submit" data-userid="${escapeHtml(r.userid)}">以${escapeHtml(r.name)}身份登录</button></form></li>`,
        )
        .join('');
      return `<h2>${escapeHtml(dept.name)}</h2><ul class="list">${items}</ul>`;
    })
    .join('');
  let target = params.redirect_uri;
  try {
    target = new URL(params.redirect_uri).host;
  } catch {
    // validated by the caller
  }
  const body = `<div class="card">
<h1>选择登录的成员（企业微信模拟器）</h1>
<p class="muted">${escapeHtml(core.corp.corpName)} · 登录后将跳转到 ${escapeHtml(target)}</p>
${sections}
</div>`;
  return layout('选择登录的成员', body);
}
