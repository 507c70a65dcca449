import type { OutgoingMessage } from '../../db/schema/automations.js';
import { ROBOT_MARKDOWN_MAX_BYTES, ROBOT_TEXT_MAX_BYTES, splitOnLines, truncateUtf8 } from './split.js';

/**
 * The WeCom message bodies notifications are made of (pure). Group robots take text (with @ mentions), markdown and
 * news [protocol §4.12]; app messages to members take text and textcard [§4.11].
 */

/** Group robot markdown, split on line boundaries into parts of at most 4096 bytes. */
export function robotMarkdown(content: string, maxBytes = ROBOT_MARKDOWN_MAX_BYTES): OutgoingMessage[] {
  return splitOnLines(content, maxBytes).map((part) => ({ msgtype: 'markdown', markdown: { content: part } }));
}

/** Group robot text: `mentions` are member userids (`@all` for everyone), shown as @ in the group. */
export function robotText(content: string, mentions: string[] = []): OutgoingMessage[] {
  const text: Record<string, unknown> = { content: truncateUtf8(content, ROBOT_TEXT_MAX_BYTES, '…') };
  if (mentions.length > 0) text.mentioned_list = mentions;
  return [{ msgtype: 'text', text }];
}

export interface NewsArticle {
  title: string;
  description?: string;
  url: string;
  picurl?: string;
}

/** Group robot news (图文): 1 to 8 articles. */
export function robotNews(articles: NewsArticle[]): OutgoingMessage[] {
  return [{ msgtype: 'news', news: { articles: articles.slice(0, 8) } }];
}

/** `<@userid>` in robot markdown mentions a member. */
export const mention = (userId: string) => `<@${userId}>`;

/**
 * An app message card (textcard): title ≤ 128 bytes, description ≤ 512 bytes; the button opens `url` (the sidebar or
 * the console on the customer concerned).
 */
export function textCard(title: string, lines: string[], url: string, button = '查看详情'): OutgoingMessage {
  const description = lines
    .filter((l) => l !== '')
    .map((l, i) =>
      i === 0 ? `<div class="gray">${escapeHtml(l)}</div>` : `<div class="normal">${escapeHtml(l)}</div>`,
    )
    .join('');
  return {
    msgtype: 'textcard',
    textcard: {
      title: truncateUtf8(title, 128, '…'),
      description: truncateUtf8(description, 512),
      url,
      btntxt: button,
    },
  };
}

/** App message text (≤ 2048 bytes). */
export function appText(content: string): OutgoingMessage {
  return { msgtype: 'text', text: { content: truncateUtf8(content, 2048, '…') } };
}

/** What a person reads first in a notification, for the log. */
export function previewOf(message: OutgoingMessage | undefined): string {
  if (!message) return '';
  const inner = (message[message.msgtype] ?? {}) as Record<string, unknown>;
  const text =
    typeof inner.content === 'string'
      ? inner.content
      : typeof inner.title === 'string'
        ? `${inner.title}${typeof inner.description === 'string' ? ` ${inner.description.replace(/<[^>]+>/g, ' ')}` : ''}`
        : Array.isArray(inner.articles)
          ? String((inner.articles[0] as { title?: unknown } | undefined)?.title ?? '')
          : '';
  return [...text.replace(/\s+/g, ' ').trim()].slice(0, 120).join('');
}

const MARKDOWN_LOOKALIKES: Record<string, string> = {
  '*': '＊',
  _: '＿',
  '`': '｀',
  '[': '［',
  ']': '］',
  '<': '＜',
  '>': '＞',
  '#': '＃',
  '\\': '＼',
};

/**
 * Text that comes from people (names, messages) inside robot markdown: WeCom's markdown has no escapes, so its special
 * characters become their full-width look-alikes (a customer's `<@all>` mentions nobody), and it stays on one line.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>#]/g, (c) => MARKDOWN_LOOKALIKES[c] ?? c).replace(/\s*\n\s*/g, ' ');
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
