import type { EmulatorCore } from './core.js';
import { escapeHtml, layout } from './html.js';

/** /emulator/: what the emulator holds, with links to the channel-code pages a demo user can "scan". */
export function renderIndexPage(core: EmulatorCore): string {
  const ways = core.data.contactWays
    .map(
      (w) => `<li><div class="grow"><div>${escapeHtml(w.remark || w.state || w.config_id)}</div>
<div class="muted">渠道参数：${escapeHtml(w.state || '（无）')} · ${w.type === 1 ? '单人' : '多人'}</div></div>
<a class="button" href="/emulator/qr/${encodeURIComponent(w.config_id)}">打开活码</a></li>`,
    )
    .join('');
  const reps = core.data.reps
    .map((r) => {
      const count = core.data.customers.filter((c) => c.follows.some((f) => f.userid === r.userid)).length;
      return `<li><img class="avatar" src="${escapeHtml(core.avatarUrl(r.userid))}" alt=""><div class="grow"><div>${escapeHtml(r.name)} <span class="muted">${escapeHtml(r.position)}</span></div><div class="muted">${escapeHtml(r.userid)} · 客户 ${count} 位</div></div></li>`;
    })
    .join('');
  const callbacks = core.callbacks
    .slice(-10)
    .reverse()
    .map((c) => {
      const ok = c.attempts.some((a) => a.status === 200);
      return `<tr><td>${escapeHtml(new Date(c.at).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai' }))}</td><td>${escapeHtml(c.changeType)}</td><td>${escapeHtml(c.userId)}</td><td class="${ok ? 'ok' : 'bad'}">${ok ? '已送达' : '失败'}</td></tr>`;
    })
    .join('');
  const body = `<div class="card"><h1>${escapeHtml(core.corp.corpName)}（企业微信模拟器）</h1>
<dl><dt>企业 ID</dt><dd>${escapeHtml(core.corp.corpId)}</dd><dt>应用 AgentId</dt><dd>${core.corp.agentId}</dd>
<dt>客户数</dt><dd>${core.data.customers.length}</dd><dt>回调地址</dt><dd>${escapeHtml(core.callbackUrl())}</dd></dl></div>
<div class="card"><h2>消息通知</h2><p><a href="/emulator/robots">群机器人（模拟群聊）</a> · <a href="/emulator/inbox">成员收到的应用消息</a></p></div>
<div class="card"><h2>渠道活码</h2><ul class="list">${ways || '<li class="muted">还没有渠道活码：请在管理后台创建渠道活码后再来扫码。</li>'}</ul></div>
<div class="card"><h2>成员</h2><ul class="list">${reps}</ul></div>
<div class="card"><h2>最近的回调</h2>${callbacks ? `<table><tr><th>时间</th><th>事件</th><th>成员</th><th>结果</th></tr>${callbacks}</table>` : '<p class="muted">暂无</p>'}</div>`;
  return layout('模拟器首页', body);
}
