import type { FastifyInstance } from 'fastify';
import type { EmulatorCore } from './core.js';
import { escapeHtml, layout } from './html.js';
import { addRobot, disableRobot, robotsOf, webhookUrlOf, type EmulatorRobot } from './robots.js';
import type { AppMessageRecord, WebhookMessageRecord } from './types.js';

/**
 * Where the demo shows notifications arriving: a stand-in group chat per group robot (/emulator/robots) and a
 * stand-in inbox per member for app messages (/emulator/inbox/:userid), refreshed every few seconds; and the
 * controls tests and the demo seed use (/emulator/_robots).
 */
export function registerRobotPages(app: FastifyInstance, core: EmulatorCore): void {
  app.get('/robots', async (_req, reply) => reply.type('text/html; charset=utf-8').send(robotsPage(core)));
  app.get('/inbox', async (_req, reply) => reply.type('text/html; charset=utf-8').send(inboxIndex(core)));
  app.get<{ Params: { userid: string } }>('/inbox/:userid', async (req, reply) => {
    reply.type('text/html; charset=utf-8');
    const rep = core.findRep(req.params.userid);
    if (!rep)
      return reply
        .status(404)
        .send(
          layout(
            '成员不存在',
            '<div class="card"><p>该成员不存在。</p><p><a href="/emulator/inbox">返回</a></p></div>',
          ),
        );
    return inboxPage(core, rep.userid, rep.name);
  });
}

export function registerRobotControls(
  app: FastifyInstance,
  core: EmulatorCore,
  json: (body: unknown) => unknown,
): void {
  const view = (r: EmulatorRobot) => ({ ...r, webhookUrl: webhookUrlOf(core, r) });
  app.get('/_robots', async () => robotsOf(core).map(view));
  app.post('/_robots', async (req, reply) => reply.status(201).send(view(addRobot(core, json(req.body)))));
  app.post<{ Params: { key: string } }>('/_robots/:key/disable', async (req) =>
    view(disableRobot(core, req.params.key)),
  );
}

const STYLE = `<style>
  .chat { display: flex; flex-direction: column; gap: 10px; max-height: 70vh; overflow-y: auto; padding: 4px 0; }
  .msg { display: flex; gap: 8px; align-items: flex-start; }
  .msg .bot { flex: none; width: 36px; height: 36px; border-radius: 8px; background: #1677ff; color: #fff; display: flex;
              align-items: center; justify-content: center; font-size: 12px; }
  .bubble { background: #f5f6f8; border-radius: 8px; padding: 8px 12px; min-width: 0; max-width: 100%; word-break: break-word; }
  .bubble .time { color: var(--muted); font-size: 12px; }
  .md-quote { color: #595959; border-left: 3px solid #d9d9d9; padding-left: 8px; }
  .md-info { color: #389e0d; } .md-warning { color: #d46b08; } .md-comment { color: #8c8c8c; }
  .mention { color: #1677ff; }
  .textcard { border: 1px solid var(--line); border-radius: 8px; padding: 12px; background: #fff; }
  .textcard .title { font-weight: 600; margin-bottom: 4px; } .textcard .desc { color: #595959; white-space: pre-line; margin-bottom: 8px; }
  details { margin-top: 8px; } code { word-break: break-all; font-size: 12px; }
</style>`;

const time = (ms: number) => new Date(ms).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai' });

/** Robot markdown as the group shows it: bold, quotes, the three font colours, links and @ mentions. */
function markdown(core: EmulatorCore, content: string): string {
  return content
    .split('\n')
    .map((raw) => {
      const quote = raw.startsWith('>');
      const line = quote ? raw.replace(/^>\s?/, '') : raw.replace(/^#{1,6}\s+/, '');
      let h = escapeHtml(line);
      h = h.replace(
        /&lt;font color=&quot;(info|warning|comment)&quot;&gt;(.*?)&lt;\/font&gt;/g,
        '<span class="md-$1">$2</span>',
      );
      h = h.replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>');
      h = h.replace(/\[([^\]]+)\]\((https?:\/\/[^)\s]+)\)/g, '<a href="$2">$1</a>');
      h = h.replace(
        /&lt;@([^&\s]+)&gt;/g,
        (_m, id: string) => `<span class="mention">@${escapeHtml(core.displayName(id) ?? id)}</span>`,
      );
      if (/^#{1,6}\s/.test(raw)) h = `<strong>${h}</strong>`;
      return quote ? `<div class="md-quote">${h}</div>` : `<div>${h || '&nbsp;'}</div>`;
    })
    .join('');
}

function robotMessage(core: EmulatorCore, m: WebhookMessageRecord): string {
  const body = (m.body ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const inner = body[m.msgtype] ?? {};
  let html: string;
  if (m.msgtype === 'markdown' || m.msgtype === 'markdown_v2') html = markdown(core, String(inner.content ?? ''));
  else if (m.msgtype === 'text') {
    const mentions = [
      ...((inner.mentioned_list as string[] | undefined) ?? []),
      ...((inner.mentioned_mobile_list as string[] | undefined) ?? []),
    ];
    html = `<div style="white-space: pre-wrap">${escapeHtml(inner.content ?? '')}</div>${
      mentions.length
        ? `<div class="mention">${mentions.map((u) => `@${escapeHtml(u === '@all' ? '所有人' : (core.displayName(u) ?? u))}`).join(' ')}</div>`
        : ''
    }`;
  } else if (m.msgtype === 'news') {
    const articles = (inner.articles as Array<Record<string, unknown>> | undefined) ?? [];
    html = articles
      .map(
        (a) =>
          `<div class="textcard"><div class="title"><a href="${escapeHtml(a.url ?? '#')}">${escapeHtml(a.title ?? '')}</a></div><div class="desc">${escapeHtml(a.description ?? '')}</div></div>`,
      )
      .join('');
  } else html = `<div class="muted">[${escapeHtml(m.msgtype)} 消息]</div>`;
  return `<div class="msg"><div class="bot">机器人</div><div class="bubble"><div class="time">${time(m.at)}</div>${html}</div></div>`;
}

function robotsPage(core: EmulatorCore): string {
  const robots = robotsOf(core);
  const known = new Set(robots.map((r) => r.key));
  const departments = new Map(core.data.departments.map((d) => [d.id, d.name]));
  const groups: Array<{ title: string; sub: string; key: string; robot?: EmulatorRobot }> = robots.map((r) => ({
    title: r.name,
    sub: `${r.departmentId === null ? '全公司' : (departments.get(r.departmentId) ?? '')} · ${r.disabled ? '<span class="bad">已移出群聊（Webhook 返回 93000）</span>' : '群机器人正常'}`,
    key: r.key,
    robot: r,
  }));
  for (const key of new Set(core.data.webhookMessages.map((m) => m.key))) {
    if (!known.has(key))
      groups.push({ title: `未登记的机器人 ${key.slice(0, 8)}…`, sub: '测试或外部使用的 Webhook', key });
  }
  const cards = groups
    .map((g) => {
      const messages = core.data.webhookMessages.filter((m) => m.key === g.key).slice(-50);
      return `<div class="card"><h2>${escapeHtml(g.title)}</h2><p class="muted">${g.sub} · 共 ${core.data.webhookMessages.filter((m) => m.key === g.key).length} 条消息</p>
<div class="chat">${messages.map((m) => robotMessage(core, m)).join('') || '<p class="muted">还没有收到消息</p>'}</div>
${g.robot ? `<details><summary class="muted">Webhook 地址（在管理后台添加群机器人时填写）</summary><code>${escapeHtml(webhookUrlOf(core, g.robot))}</code></details>` : ''}</div>`;
    })
    .join('');
  return layout(
    '群机器人',
    `${STYLE}<div class="card"><h1>群机器人（模拟群聊）</h1><p class="muted">每个群机器人代表一个群聊：系统发出的提醒和日报会出现在这里。页面每 5 秒刷新。<a href="/emulator/inbox">查看成员收到的应用消息</a> · <a href="/emulator/">返回模拟器首页</a></p></div>${cards}`,
    { refreshSeconds: 5 },
  );
}

function appMessage(m: AppMessageRecord): string {
  const body = (m.body ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const inner = body[m.msgtype] ?? {};
  let html: string;
  if (m.msgtype === 'textcard') {
    const desc = String(inner.description ?? '')
      .replace(/<\/div>\s*<div[^>]*>/g, '\n')
      .replace(/<[^>]+>/g, '')
      .replace(/&#(\d+);/g, (_m, c: string) => String.fromCharCode(Number(c)));
    html = `<div class="textcard"><div class="title">${escapeHtml(inner.title ?? '')}</div><div class="desc">${escapeHtml(desc)}</div><a class="button" href="${escapeHtml(inner.url ?? '#')}">${escapeHtml(inner.btntxt || '详情')}</a></div>`;
  } else if (m.msgtype === 'text' || m.msgtype === 'markdown') {
    html = `<div style="white-space: pre-wrap">${escapeHtml(inner.content ?? '')}</div>`;
  } else html = `<div class="muted">[${escapeHtml(m.msgtype)} 消息]</div>`;
  return `<div class="msg"><div class="bot">应用</div><div class="bubble"><div class="time">${time(m.at)}</div>${html}</div></div>`;
}

function inboxIndex(core: EmulatorCore): string {
  const items = core.data.reps
    .map((r) => {
      const n = core.data.appMessages.filter((m) => m.touser.includes(r.userid)).length;
      return `<li><img class="avatar" src="${escapeHtml(core.avatarUrl(r.userid))}" alt=""><div class="grow"><div>${escapeHtml(r.name)} <span class="muted">${escapeHtml(r.position)}</span></div><div class="muted">应用消息 ${n} 条</div></div><a class="button" href="/emulator/inbox/${encodeURIComponent(r.userid)}">打开</a></li>`;
    })
    .join('');
  return layout(
    '应用消息',
    `<div class="card"><h1>成员收到的应用消息</h1><p class="muted">系统通过自建应用发给员工和主管的提醒（未回复提醒、跟进提醒、生日提醒……）。<a href="/emulator/robots">查看群机器人</a></p><ul class="list">${items}</ul></div>`,
    { refreshSeconds: 5 },
  );
}

function inboxPage(core: EmulatorCore, userid: string, name: string): string {
  const mine = core.data.appMessages.filter((m) => m.touser.includes(userid)).slice(-50);
  return layout(
    `${name} 的应用消息`,
    `${STYLE}<div class="card"><h1>${escapeHtml(name)} 的应用消息</h1><p class="muted">模拟企业微信里「应用」会话，页面每 5 秒刷新。<a href="/emulator/inbox">返回成员列表</a></p>
<div class="chat">${mine.map(appMessage).join('') || '<p class="muted">还没有收到应用消息</p>'}</div></div>`,
    { refreshSeconds: 5 },
  );
}
