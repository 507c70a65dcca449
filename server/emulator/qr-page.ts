import QRCode from 'qrcode';
import type { EmulatorCore } from './core.js';
import { escapeHtml, layout } from './html.js';
import type { CallbackRecord } from './simulate.js';
import type { ContactWay, Customer, Rep } from './types.js';
import { followTags } from './views.js';

/** The reps a scan of this way can go to: its users, else the members of its departments. */
export function repsOfWay(core: EmulatorCore, way: ContactWay): Rep[] {
  const users = way.user.flatMap((u) => core.findRep(u) ?? []);
  if (users.length > 0) return users;
  const depts = way.party.flatMap((p) => core.departmentTree(p));
  return core.data.reps.filter((r) => r.department.some((d) => depts.includes(d)));
}

function departmentNames(core: EmulatorCore, rep: Rep): string {
  return rep.department.map((id) => core.data.departments.find((d) => d.id === id)?.name ?? String(id)).join('、');
}

function repItem(core: EmulatorCore, rep: Rep, extra = ''): string {
  return `<li><img class="avatar" src="${escapeHtml(core.avatarUrl(rep.userid))}" alt="">
<div class="grow"><div>${escapeHtml(rep.name)} <span class="muted">${escapeHtml(rep.position)}</span></div>
<div class="muted">${escapeHtml(departmentNames(core, rep))} · ${escapeHtml(rep.userid)}</div></div>${extra}</li>`;
}

const QR_OPTIONS = { margin: 1, width: 480, errorCorrectionLevel: 'M' } as const;

/**
 * The QR image itself, as WeCom's `qr_code` URL answers: a PNG of the page URL (scanning it opens the page).
 */
export function renderQrPng(core: EmulatorCore, way: ContactWay): Promise<Buffer> {
  return QRCode.toBuffer(core.qrPageUrl(way.config_id), { ...QR_OPTIONS, type: 'png' });
}

/**
 * Whether a request for the `qr_code` URL wants the image rather than the page: it accepts images and not HTML (an
 * <img>, a server downloading the image). A browser opening the URL asks for HTML first and gets the page.
 */
export function wantsQrImage(accept: string | undefined): boolean {
  if (!accept) return false;
  const types = accept.split(',').map((t) => t.split(';')[0]!.trim().toLowerCase());
  return !types.includes('text/html') && types.some((t) => t === 'image/png' || t === 'image/*');
}

/** The printed-poster stand-in: a real QR image of this page's URL, the channel, and a form to simulate a scan. */
export async function renderQrPage(core: EmulatorCore, way: ContactWay): Promise<string> {
  const url = core.qrPageUrl(way.config_id);
  const qr = await QRCode.toDataURL(url, QR_OPTIONS);
  const reps = repsOfWay(core, way);
  const title = way.remark || way.state || '渠道活码';
  const body = `
<div class="card">
  <h1>渠道活码：${escapeHtml(title)}</h1>
  <div class="qr"><img src="${qr}" alt="渠道活码二维码"><div class="muted">用微信扫一扫，添加${escapeHtml(core.corp.corpName)}的企业微信</div></div>
</div>
<div class="card">
  <h2>渠道信息</h2>
  <dl>
    <dt>备注</dt><dd>${escapeHtml(way.remark || '（无）')}</dd>
    <dt>渠道参数</dt><dd>${escapeHtml(way.state || '（无）')}</dd>
    <dt>类型</dt><dd>${way.type === 1 ? '单人' : '多人（轮流分配）'}</dd>
    <dt>添加验证</dt><dd>${way.skip_verify ? '无需验证，自动通过' : '需成员确认'}</dd>
    <dt>配置 ID</dt><dd>${escapeHtml(way.config_id)}</dd>
  </dl>
</div>
<div class="card">
  <h2>接待成员</h2>
  <ul class="list">${reps.map((r) => repItem(core, r)).join('') || '<li class="muted">没有可分配的成员</li>'}</ul>
</div>
<div class="card">
  <h2>模拟扫码添加</h2>
  <p class="muted">模拟一位客户扫描此二维码并添加成员：模拟器会创建客户，并向服务器发送加密的「添加企业客户」回调事件（携带渠道参数 State）。</p>
  <form class="inline" method="post" action="/emulator/qr/${encodeURIComponent(way.config_id)}/scan">
    <input type="text" name="name" maxlength="64" placeholder="客户昵称（留空则随机生成）" aria-label="客户昵称">
    <button type="submit">模拟扫码添加</button>
  </form>
</div>`;
  return layout(`渠道活码：${title}`, body);
}

function attemptText(a: CallbackRecord['attempts'][number]): string {
  const label = `第 ${a.delivery} 次投递 · 尝试 ${a.attempt}`;
  if (a.status === 200)
    return `<li><span class="ok">✓ ${label}：HTTP 200</span> <span class="muted">${a.ms} 毫秒</span></li>`;
  const why = a.status === null ? escapeHtml(a.error ?? '网络错误') : `HTTP ${a.status}`;
  return `<li><span class="bad">✗ ${label}：${why}</span> <span class="muted">${a.ms} 毫秒</span></li>`;
}

/** After a scan: who was added to whom, whether our server accepted the callback, and the welcome message sent. */
export function renderScanResult(
  core: EmulatorCore,
  way: ContactWay,
  customer: Customer,
  record: CallbackRecord,
): string {
  const rep = core.findRep(record.userId);
  const delivered = record.attempts.some((a) => a.status === 200);
  const welcomes = core.data.welcomeMessages.filter((w) => w.external_userid === customer.external_userid);
  const missing = welcomes.length === 0 ? noWelcomeReason(core, record, delivered) : null;
  const welcomeHtml = missing
    ? `<p class="muted">${NO_WELCOME_TEXT[missing]}</p>`
    : welcomes
        .map(
          (w) =>
            `<div><p class="welcome-text">${escapeHtml(w.text?.content ?? '（无文字）')}</p>${
              w.attachments.length > 0
                ? `<ul class="attachments" aria-label="附件">${w.attachments.map((a) => attachmentItem(core, a)).join('')}</ul>`
                : ''
            }</div>`,
        )
        .join('');
  const follow = core.findFollow(customer, record.userId);
  const tags = follow ? followTags(core, follow) : [];
  const tagsHtml =
    tags.length > 0
      ? `<ul class="chips">${tags
          .map((t) => `<li><span class="group">${escapeHtml(t.group_name)}：</span>${escapeHtml(t.tag_name)}</li>`)
          .join('')}</ul>`
      : `<p class="muted">${delivered ? NO_TAGS_TEXT : '回调没有投递成功，服务器不会为该客户打标签。'}</p>`;
  const body = `
<div class="card">
  <h1>${delivered ? '<span class="ok">添加成功</span>' : '<span class="bad">回调投递失败</span>'}</h1>
  <ul class="list">
    <li><img class="avatar" src="${escapeHtml(core.avatarUrl(customer.external_userid))}" alt="">
      <div class="grow"><div>客户：${escapeHtml(customer.name)}${customer.corp_name ? ` <span class="muted">@${escapeHtml(customer.corp_name)}</span>` : ''}</div>
      <div class="muted">${escapeHtml(customer.external_userid)}</div></div></li>
    ${rep ? repItem(core, rep, '<span class="muted">接待成员</span>') : ''}
  </ul>
  <dl>
    <dt>渠道活码</dt><dd>${escapeHtml(way.remark || '（无备注）')}</dd>
    <dt>渠道参数</dt><dd>${escapeHtml(record.state ?? '（无）')}</dd>
    <dt>欢迎语代码</dt><dd>${record.welcomeCode ? '已随事件下发（20 秒内有效）' : '无'}</dd>
  </dl>
</div>
<div class="card">
  <h2>回调投递</h2>
  <p class="muted">${escapeHtml(core.callbackUrl())}</p>
  <ul>${record.attempts.map(attemptText).join('') || '<li class="muted">未投递</li>'}</ul>
</div>
<div class="card">
  <h2>已打标签</h2>
  ${tagsHtml}
</div>
<div class="card">
  <h2>欢迎语</h2>
  ${welcomeHtml}
</div>
<p><a href="/emulator/qr/${encodeURIComponent(way.config_id)}">返回渠道活码</a> · <a href="/emulator/">模拟器首页</a></p>`;
  // While the server may still send the welcome message (it has the code, still valid), the page reloads itself.
  return layout('模拟扫码结果', body, missing === 'waiting' ? { refreshSeconds: RESULT_REFRESH_SECONDS } : {});
}

const NO_TAGS_TEXT = '暂无：服务器还没有为该客户打标签（渠道活码没有配置标签时不会打标签）。';

const httpUrl = (value: unknown): string | null =>
  typeof value === 'string' && /^https?:\/\//i.test(value) ? value : null;

/** A picture the emulator holds (an uploaded media id), else an http(s) picture URL, else nothing. */
function pictureSrc(core: EmulatorCore, mediaId: unknown, picUrl?: unknown): string | null {
  if (typeof mediaId === 'string' && core.mediaImage(mediaId)) return `/emulator/media/${encodeURIComponent(mediaId)}`;
  return httpUrl(picUrl);
}

/** The picture, or a placeholder of its size saying there is none (as WeCom shows a card without a cover). */
function thumb(src: string | null, alt: string): string {
  return src
    ? `<img class="thumb" src="${escapeHtml(src)}" alt="${escapeHtml(alt)}">`
    : `<span class="thumb" role="img" aria-label="${escapeHtml(alt)}">无图</span>`;
}

/** One attachment of a welcome message as the customer would see it: a picture, a link card, a mini program. */
function attachmentItem(core: EmulatorCore, raw: unknown): string {
  const a = (raw ?? {}) as Record<string, Record<string, unknown> | string | undefined>;
  const msgtype = typeof a.msgtype === 'string' ? a.msgtype : '';
  const inner = (typeof a[msgtype] === 'object' ? a[msgtype] : {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  switch (msgtype) {
    case 'image':
      return `<li data-kind="image"><span class="kind">图片</span>${thumb(pictureSrc(core, inner.media_id, inner.pic_url), '图片')}</li>`;
    case 'link': {
      const url = httpUrl(inner.url);
      const title = escapeHtml(text(inner.title) || '（无标题）');
      return `<li data-kind="link"><span class="kind">链接</span>${thumb(httpUrl(inner.picurl), '链接封面')}<div class="grow"><div class="title">${
        url ? `<a href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer">${title}</a>` : title
      }</div>${inner.desc ? `<div class="muted">${escapeHtml(text(inner.desc))}</div>` : ''}</div></li>`;
    }
    case 'miniprogram':
      return `<li data-kind="miniprogram"><span class="kind">小程序</span>${thumb(pictureSrc(core, inner.pic_media_id), '小程序封面')}<div class="grow"><div class="title">${escapeHtml(
        text(inner.title) || '（无标题）',
      )}</div><div class="muted">${escapeHtml(text(inner.page))}</div></div></li>`;
    case 'video':
      return `<li data-kind="video"><span class="kind">视频</span><div class="grow muted">视频文件</div></li>`;
    case 'file':
      return `<li data-kind="file"><span class="kind">文件</span><div class="grow muted">文件</div></li>`;
    default:
      return `<li><span class="kind">附件</span><div class="grow muted">${escapeHtml(msgtype || '未知类型')}</div></li>`;
  }
}

/** How often the scan result page reloads while it waits for the welcome message. */
const RESULT_REFRESH_SECONDS = 2;

type NoWelcome = 'waiting' | 'expired' | 'undelivered' | 'no-code';

const NO_WELCOME_TEXT: Record<NoWelcome, string> = {
  waiting: `等待服务器发送欢迎语（需在 20 秒内调用发送欢迎语接口），本页每 ${RESULT_REFRESH_SECONDS} 秒自动刷新。`,
  expired: '未收到欢迎语：服务器没有在 20 秒内用欢迎语代码发送欢迎语。',
  undelivered: '未收到欢迎语：回调没有投递成功，服务器收不到欢迎语代码。',
  'no-code': '本次添加没有欢迎语代码，无法发送欢迎语。',
};

/** Why no welcome message is shown (yet): still within its 20 s, too late, or impossible. */
function noWelcomeReason(core: EmulatorCore, record: CallbackRecord, delivered: boolean): NoWelcome {
  if (record.welcomeCode === null) return 'no-code';
  if (!delivered) return 'undelivered';
  return core.credentials.checkWelcomeCode(record.welcomeCode).status === 'ok' ? 'waiting' : 'expired';
}
