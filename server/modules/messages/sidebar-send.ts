import type { ChatMessage } from '../../../shared/schemas/scripts.js';
import { displayText, type NewMessage } from './normalize.js';

/**
 * A message a rep sends from the sidebar (the argument of `ww.sendChatMessage`) as the archive will show it: text as
 * text, an image as an image (its bytes arrive with the archived copy), a news card as a link.
 */
export function fromSidebar(send: {
  userId: string;
  externalUserId: string;
  message: ChatMessage;
  at: number;
}): Omit<NewMessage, 'msgid' | 'seq' | 'source'> {
  const m = send.message;
  let type: string;
  let content: Record<string, unknown>;
  switch (m.msgtype) {
    case 'text':
      type = 'text';
      content = { content: m.text.content };
      break;
    case 'image':
      type = 'image';
      content = { mediaid: m.image.mediaid };
      break;
    case 'news':
      type = 'link';
      content = { title: m.news.title, description: m.news.desc, link_url: m.news.link, image_url: m.news.imgUrl };
      break;
  }
  const text = displayText(type, content);
  return {
    action: 'send',
    sender: send.userId,
    receivers: [send.externalUserId],
    roomId: null,
    sentAt: send.at,
    type,
    text,
    searchText: type === 'link' ? `${text} ${String(content.description ?? '')}` : text,
    content,
    conversation: {
      key: `single:${send.userId}:${send.externalUserId}`,
      kind: 'single',
      userId: send.userId,
      externalUserId: send.externalUserId,
      roomId: null,
    },
    userId: send.userId,
    externalUserId: send.externalUserId,
    direction: 'rep_to_customer',
    media: [],
    recalls: null,
    consent: null,
  };
}
