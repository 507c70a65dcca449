import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { api } from '../api/client';
import type { Message, Suggestion } from '../api/types';
import { latestLoad } from '../lib/latest-load';
import type { WecomAdapter } from '../wecom/adapter';

type Decision = 'sent' | 'edited';

/**
 * Suggested replies (推荐回复) to the customer's latest message: up to three scripts from the server's engine, asked
 * again whenever a newer customer message arrives. What the rep does with each is reported back (shown, then sent
 * or edited), which is how the managers see adoption and how the engine learns.
 */
export const useSuggestionsStore = defineStore('suggestions', () => {
  const externalUserId = ref<string | null>(null);
  /** The customer message the last request was made for (the chat's id). */
  const requestedFor = ref<number | null>(null);
  /** The message the engine answered (null: no customer message yet, or one it could not place). */
  const answeredId = ref<number | null>(null);
  const items = ref<Suggestion[]>([]);
  const loads = latestLoad();
  const { status, error } = loads;
  const sendingKey = ref<string | null>(null);
  const decided = ref<Record<string, Decision>>({});
  /** Feedback keys already reported as shown: the answer is cached server-side, asking again shows the same ones. */
  const shown = new Set<string>();

  const visible = computed(() => items.value.length > 0);

  function reset(id: string | null) {
    externalUserId.value = id;
    requestedFor.value = null;
    answeredId.value = null;
    items.value = [];
    decided.value = {};
    sendingKey.value = null;
  }

  /** Reports suggestions as shown; a failure only loses a figure for the managers, never the rep's work. */
  function reportShown(list: Suggestion[]) {
    for (const s of list) {
      if (shown.has(s.feedbackKey)) continue;
      shown.add(s.feedbackKey);
      api.suggestionFeedback(s.feedbackKey, 'shown').catch((err: unknown) => {
        shown.delete(s.feedbackKey);
        console.warn('suggestion feedback (shown) was not recorded', err);
      });
    }
  }

  /** Asks for the suggestions to the customer's message `message` (the newest one of theirs in the chat). */
  async function refresh(id: string, message: Pick<Message, 'id'>) {
    if (externalUserId.value !== id) reset(id);
    if (requestedFor.value === message.id && status.value !== 'error') return;
    requestedFor.value = message.id;
    // The previous message's suggestions do not answer this one.
    answeredId.value = null;
    items.value = [];
    await loads.run(
      () => api.suggestions(id),
      (list) => {
        answeredId.value = list.message?.id ?? null;
        items.value = list.items;
      },
    );
  }

  /** Called by the strip once the suggestions are on screen. */
  function markShown() {
    reportShown(items.value);
  }

  /**
   * One tap, the script as it is. A text goes as the rendered text the suggestion carries ({客户昵称} and {员工姓名}
   * filled in), recorded as the rep's message; the library's send route would record and hand back the unfilled
   * template. A picture or card goes through that route (as the library sends it), whose `feedbackKey` records the
   * suggestion as sent in the same step. Returns the message recorded for a text (shown in the chat at once), and
   * whether the outcome still has to be reported (`report`).
   */
  async function send(suggestion: Suggestion, adapter: Pick<WecomAdapter, 'sendChatMessage'>) {
    const s = suggestion.script;
    if (s.kind === 'text') {
      const message = await sendText(suggestion, s.content, 'sent', adapter);
      return message ? { message, report: true } : null;
    }
    const id = externalUserId.value;
    if (!id || sendingKey.value !== null) return null;
    sendingKey.value = suggestion.feedbackKey;
    try {
      const { message } = await api.recordSend(s.id, id, suggestion.feedbackKey);
      decided.value = { ...decided.value, [suggestion.feedbackKey]: 'sent' };
      // A card's caption as the suggestion rendered it (the route keeps placeholders as written).
      const chatMessage =
        message.msgtype === 'news' && s.payload.desc !== undefined
          ? { ...message, news: { ...message.news, desc: s.payload.desc } }
          : message;
      await adapter.sendChatMessage(chatMessage);
      return { message: null, report: false };
    } finally {
      sendingKey.value = null;
    }
  }

  /** The rep edited the text first: recorded as the rep's own message and put into the chat. */
  function sendEdited(suggestion: Suggestion, text: string, adapter: Pick<WecomAdapter, 'sendChatMessage'>) {
    return sendText(suggestion, text, 'edited', adapter);
  }

  async function sendText(
    suggestion: Suggestion,
    text: string,
    outcome: Decision,
    adapter: Pick<WecomAdapter, 'sendChatMessage'>,
  ): Promise<Message | null> {
    const id = externalUserId.value;
    if (!id || sendingKey.value !== null) return null;
    sendingKey.value = suggestion.feedbackKey;
    try {
      const { message, chatMessage } = await api.sendText(id, text);
      decided.value = { ...decided.value, [suggestion.feedbackKey]: outcome };
      await adapter.sendChatMessage(chatMessage);
      return message;
    } finally {
      sendingKey.value = null;
    }
  }

  /** What became of a suggestion sent as text; separate from the send, so a failed report is retried alone. */
  async function report(suggestion: Suggestion, outcome: Decision) {
    await api.suggestionFeedback(suggestion.feedbackKey, outcome);
  }

  return {
    externalUserId,
    requestedFor,
    answeredId,
    items,
    status,
    error,
    sendingKey,
    decided,
    visible,
    reset,
    refresh,
    markShown,
    send,
    sendEdited,
    report,
  };
});
