import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { ApiError, api } from '../api/client';
import type { ConsentState, Message } from '../api/types';
import type { WecomAdapter } from '../wecom/adapter';

export const MESSAGES_PAGE_SIZE = 30;
/** After the stream closed for good (e.g. the server restarted and refused it), try again this much later. */
const RECONNECT_MS = 5000;

export type StreamStatus = 'idle' | 'connecting' | 'live' | 'closed';

/** Oldest first, as the chat shows them; equal times keep the server's order (ids grow with arrival). */
const byTime = (a: Message, b: Message) => a.sentAt - b.sentAt || a.id - b.id;

/**
 * One customer's chat with the signed-in rep: the history read backwards page by page (newest at the bottom), kept
 * live by the server's event stream, and whether the customer agreed to have it archived. Switching customers
 * (`open`) starts over; answers for the previous customer are dropped.
 */
export const useMessagesStore = defineStore('messages', () => {
  const externalUserId = ref<string | null>(null);
  const items = ref<Message[]>([]);
  const cursor = ref<string | null>(null);
  const consent = ref<ConsentState | null>(null);
  const status = ref<'idle' | 'loading' | 'ready' | 'error'>('idle');
  const error = shallowRef<unknown>(null);
  const loadingOlder = ref(false);
  const olderError = shallowRef<unknown>(null);
  const streamStatus = ref<StreamStatus>('idle');
  /** Counts the messages that arrived after the first page (stream or own send): the chat scrolls down to them. */
  const arrivals = ref(0);

  let generation = 0;
  let version = 0;
  let source: EventSource | null = null;
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined;

  const hasOlder = computed(() => cursor.value !== null);
  /** The customer's newest message still standing (not recalled): what a reply answers. */
  const latestCustomerMessage = computed(() => {
    for (let i = items.value.length - 1; i >= 0; i--) {
      const m = items.value[i]!;
      if (m.direction === 'customer_to_rep' && !m.recalled && m.type !== 'agree' && m.type !== 'disagree') return m;
    }
    return null;
  });
  /** The customer said no to archiving (客户未同意存档): what is shown stops at their refusal. */
  const archiveRefused = computed(() => consent.value?.status === 'disagree');

  /** Adds new messages and replaces changed ones (a recall, a sidebar send whose archived copy arrived). */
  function merge(incoming: Message[]) {
    if (incoming.length === 0) return;
    const byId = new Map(items.value.map((m) => [m.id, m]));
    for (const m of incoming) byId.set(m.id, m);
    items.value = [...byId.values()].sort(byTime);
  }

  function stopStream() {
    clearTimeout(reconnectTimer);
    source?.close();
    source = null;
    streamStatus.value = 'idle';
  }

  function startStream(id: string, gen: number) {
    stopStream();
    streamStatus.value = 'connecting';
    const es = new EventSource(api.messageStreamUrl(id, version));
    source = es;
    es.addEventListener('ready', () => {
      if (gen === generation) streamStatus.value = 'live';
    });
    es.addEventListener('message', (event: MessageEvent<string>) => {
      if (gen !== generation) return;
      let message: Message;
      try {
        message = JSON.parse(event.data) as Message;
      } catch {
        return; // not ours to show
      }
      version = Math.max(version, message.rev);
      const isNew = !items.value.some((m) => m.id === message.id);
      merge([message]);
      if (isNew) arrivals.value++;
      // The customer's agree / disagree record is their consent, as the history page would now say.
      if (message.type === 'agree' || message.type === 'disagree')
        consent.value = { status: message.type, changedAt: message.sentAt };
    });
    es.onerror = () => {
      if (gen !== generation) return;
      // EventSource reconnects by itself (with Last-Event-ID) while CONNECTING; CLOSED means the server refused.
      if (es.readyState !== EventSource.CLOSED) {
        streamStatus.value = 'connecting';
        return;
      }
      streamStatus.value = 'closed';
      source = null;
      reconnectTimer = setTimeout(() => void resume(id, gen), RECONNECT_MS);
    };
  }

  /**
   * After the stream was refused: read the newest page through the API client (a lapsed session goes through its
   * central 401 handling, which an EventSource cannot), then stream again from there.
   */
  async function resume(id: string, gen: number) {
    if (gen !== generation) return;
    try {
      const page = await api.messages(id, { limit: MESSAGES_PAGE_SIZE });
      if (gen !== generation) return;
      const before = items.value.length;
      merge(page.items);
      if (items.value.length > before) arrivals.value++;
      consent.value = page.consent;
      version = Math.max(version, page.version);
      startStream(id, gen);
    } catch (err) {
      if (gen !== generation) return;
      // Not the rep's customer any more, or signed out: trying again will not help.
      if (err instanceof ApiError && [401, 403, 404].includes(err.status)) {
        error.value = err;
        status.value = 'error';
        return;
      }
      reconnectTimer = setTimeout(() => void resume(id, gen), RECONNECT_MS);
    }
  }

  /** Opens a customer's chat: the newest page, then the stream of what changes after it. */
  async function open(id: string) {
    const gen = ++generation;
    stopStream();
    externalUserId.value = id;
    items.value = [];
    cursor.value = null;
    consent.value = null;
    error.value = null;
    olderError.value = null;
    loadingOlder.value = false;
    status.value = 'loading';
    try {
      const page = await api.messages(id, { limit: MESSAGES_PAGE_SIZE });
      if (gen !== generation) return;
      items.value = [...page.items].sort(byTime);
      cursor.value = page.nextCursor;
      consent.value = page.consent;
      version = page.version;
      status.value = 'ready';
      startStream(id, gen);
    } catch (err) {
      if (gen !== generation) return;
      error.value = err;
      status.value = 'error';
    }
  }

  /** The page before the oldest one shown (the rep scrolled to the top). */
  async function loadOlder() {
    const id = externalUserId.value;
    if (!id || !cursor.value || loadingOlder.value || status.value !== 'ready') return;
    const gen = generation;
    loadingOlder.value = true;
    olderError.value = null;
    try {
      const page = await api.messages(id, { cursor: cursor.value, limit: MESSAGES_PAGE_SIZE });
      if (gen !== generation) return;
      merge(page.items);
      cursor.value = page.nextCursor;
    } catch (err) {
      if (gen === generation) olderError.value = err;
    } finally {
      if (gen === generation) loadingOlder.value = false;
    }
  }

  /** A message the sidebar just recorded: shown at once, the stream's copy replaces it. */
  function add(message: Message) {
    merge([message]);
    arrivals.value++;
  }

  /**
   * The rep types a reply: recorded first (it shows in the chat at once), then put into WeCom's chat box. A message
   * that is not recorded never reaches the chat.
   */
  async function sendText(text: string, adapter: Pick<WecomAdapter, 'sendChatMessage'>) {
    const id = externalUserId.value;
    if (!id) return false;
    const { message, chatMessage } = await api.sendText(id, text);
    if (externalUserId.value === id) add(message);
    await adapter.sendChatMessage(chatMessage);
    return true;
  }

  /** The pane goes away (another chat): nothing keeps streaming. */
  function close() {
    generation++;
    stopStream();
    externalUserId.value = null;
  }

  return {
    externalUserId,
    items,
    consent,
    status,
    error,
    loadingOlder,
    olderError,
    streamStatus,
    arrivals,
    hasOlder,
    latestCustomerMessage,
    archiveRefused,
    open,
    loadOlder,
    add,
    sendText,
    close,
  };
});
