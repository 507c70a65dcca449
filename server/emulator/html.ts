/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const STYLE = `
  :root { color-scheme: light; --brand: #1677ff; --muted: #8c8c8c; --line: #f0f0f0; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 15px/1.6 -apple-system, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif;
         background: #f5f6f8; color: #1f1f1f; }
  header { background: #fff; border-bottom: 1px solid var(--line); padding: 12px 20px; display: flex; gap: 12px; align-items: center; }
  header .tag { flex: none; white-space: nowrap; font-size: 12px; color: #fff; background: #fa8c16; border-radius: 4px; padding: 1px 6px; }
  header strong { flex: none; white-space: nowrap; }
  main { max-width: 720px; margin: 24px auto; padding: 0 16px; overflow-wrap: anywhere; }
  .card { background: #fff; border-radius: 10px; padding: 20px; margin-bottom: 16px; box-shadow: 0 1px 2px rgba(0,0,0,.04); }
  h1 { font-size: 20px; margin: 0 0 12px; } h2 { font-size: 16px; margin: 0 0 12px; }
  dl { display: grid; grid-template-columns: 7em 1fr; gap: 6px 12px; margin: 0; } dt { color: var(--muted); } dd { margin: 0; word-break: break-all; }
  ul.list { list-style: none; margin: 0; padding: 0; } ul.list li { display: flex; gap: 12px; align-items: center; padding: 10px 0; border-bottom: 1px solid var(--line); }
  ul.list li:last-child { border-bottom: 0; }
  img.avatar { width: 40px; height: 40px; border-radius: 50%; flex: none; }
  .grow { flex: 1; min-width: 0; } .muted { color: var(--muted); font-size: 13px; }
  button, .button { font: inherit; border: 0; border-radius: 6px; background: var(--brand); color: #fff; padding: 8px 16px; cursor: pointer; text-decoration: none; display: inline-block; }
  button.secondary { background: #fff; color: var(--brand); border: 1px solid var(--brand); }
  input[type=text] { font: inherit; padding: 8px 10px; border: 1px solid #d9d9d9; border-radius: 6px; width: 100%; }
  form.inline { display: flex; gap: 8px; }
  .qr { text-align: center; } .qr img { width: 240px; height: 240px; image-rendering: pixelated; }
  .ok { color: #389e0d; } .bad { color: #cf1322; }
  table { border-collapse: collapse; width: 100%; font-size: 14px; } td, th { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); }
  a { color: var(--brand); }
  ul.chips { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 6px; }
  ul.chips li { background: #e6f4ff; color: #0958d9; border-radius: 4px; padding: 0 8px; font-size: 13px; }
  ul.chips li .group { color: var(--muted); }
  .welcome-text { white-space: pre-wrap; word-break: break-all; }
  ul.attachments { list-style: none; margin: 8px 0 0; padding: 0; display: flex; flex-direction: column; gap: 8px; }
  ul.attachments li { display: flex; gap: 10px; align-items: center; border: 1px solid var(--line); border-radius: 8px; padding: 8px; }
  ul.attachments .kind { flex: none; font-size: 12px; color: var(--muted); width: 3em; }
  ul.attachments .thumb { flex: none; width: 72px; height: 48px; object-fit: cover; border-radius: 4px; background: var(--line);
                          display: flex; align-items: center; justify-content: center; color: var(--muted); font-size: 12px; }
  ul.attachments .title { word-break: break-all; }
`;

/** Inline, so browsers do not ask the server for /favicon.ico (a 404 on every page). */
const FAVICON =
  "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E%3Crect width='32' height='32' rx='7' fill='%230082ef'/%3E%3Ccircle cx='16' cy='16' r='7' fill='none' stroke='%23fff' stroke-width='3'/%3E%3C/svg%3E";

/**
 * A complete page in the emulator's look, marked as the emulator so nobody mistakes it for WeCom. `refreshSeconds`
 * makes the browser reload it (a meta refresh: the pages run no script).
 */
export function layout(title: string, body: string, opts: { refreshSeconds?: number } = {}): string {
  const refresh = opts.refreshSeconds ? `<meta http-equiv="refresh" content="${opts.refreshSeconds}">\n` : '';
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="${FAVICON}">
${refresh}<title>${escapeHtml(title)} - 企业微信模拟器</title>
<style>${STYLE}</style>
</head>
<body>
<header><strong>企业微信</strong><span class="tag">模拟器</span><span class="muted">演示环境，不会连接真实的企业微信</span></header>
<main>
${body}
</main>
</body>
</html>`;
}

export function errorPage(title: string, message: string, backHref?: string): string {
  return layout(
    title,
    `<div class="card"><h1 class="bad">${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>${
      backHref ? `<p><a href="${escapeHtml(backHref)}">返回</a></p>` : ''
    }</div>`,
  );
}
