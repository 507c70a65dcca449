import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { api } from '../api/client';
import { latestLoad } from '../lib/latest-load';
import type { Script, ScriptGroup } from '../api/types';
import type { WecomAdapter } from '../wecom/adapter';

export const SCRIPTS_PAGE_SIZE = 30;

/** The script library (话术库) as a rep browses it: groups, search, favourites, and one-click send. */
export const useScriptsStore = defineStore('scripts', () => {
  const groups = ref<ScriptGroup[]>([]);
  const query = ref('');
  const groupId = ref<number | null>(null);
  const favoritesOnly = ref(false);
  const items = ref<Script[]>([]);
  const total = ref(0);
  /** Every new search starts a new load: typing fast must not let an older answer overwrite a newer one. */
  const searches = latestLoad();
  const { status, error } = searches;
  const loadingMore = ref(false);
  const sendingId = ref<number | null>(null);

  const hasMore = computed(() => items.value.length < total.value);

  function listQuery(offset: number) {
    return {
      q: query.value.trim() || undefined,
      groupId: favoritesOnly.value ? undefined : groupId.value,
      favorites: favoritesOnly.value,
      limit: SCRIPTS_PAGE_SIZE,
      offset,
    };
  }

  async function loadGroups() {
    groups.value = [...(await api.scriptGroups())].sort((a, b) => a.order - b.order);
  }

  async function search() {
    await searches.run(
      () => api.scripts(listQuery(0)),
      (page) => {
        items.value = page.items;
        total.value = page.total;
      },
    );
  }

  async function loadMore() {
    if (loadingMore.value || status.value !== 'ready' || !hasMore.value) return;
    const isCurrent = searches.stillCurrent();
    loadingMore.value = true;
    try {
      const page = await api.scripts(listQuery(items.value.length));
      if (!isCurrent()) return;
      const seen = new Set(items.value.map((s) => s.id));
      items.value = [...items.value, ...page.items.filter((s) => !seen.has(s.id))];
      total.value = page.total;
    } finally {
      if (isCurrent()) loadingMore.value = false;
    }
  }

  function setQuery(q: string) {
    query.value = q;
    return search();
  }

  /** A group, or null for all scripts. */
  function setGroup(id: number | null) {
    groupId.value = id;
    favoritesOnly.value = false;
    return search();
  }

  function showFavorites() {
    favoritesOnly.value = true;
    groupId.value = null;
    return search();
  }

  /** Optimistic: the star changes at once and changes back if the server says no. */
  async function toggleFavorite(scriptId: number) {
    const script = items.value.find((s) => s.id === scriptId);
    if (!script) return;
    const next = !script.favorite;
    script.favorite = next;
    try {
      await api.setFavorite(scriptId, next);
    } catch (err) {
      script.favorite = !next;
      throw err;
    }
    if (favoritesOnly.value && !next) {
      items.value = items.value.filter((s) => s.id !== scriptId);
      total.value = Math.max(0, total.value - 1);
    }
  }

  /**
   * Records the send (who, which customer, which script, when) and only then hands the server's message to the
   * JS-SDK: a send that is not on the timeline never reaches the chat.
   */
  async function send(scriptId: number, externalUserId: string, adapter: Pick<WecomAdapter, 'sendChatMessage'>) {
    if (sendingId.value !== null) return false;
    sendingId.value = scriptId;
    try {
      const { message } = await api.recordSend(scriptId, externalUserId);
      await adapter.sendChatMessage(message);
      const script = items.value.find((s) => s.id === scriptId);
      if (script) script.sendCount += 1;
      return true;
    } finally {
      sendingId.value = null;
    }
  }

  return {
    groups,
    query,
    groupId,
    favoritesOnly,
    items,
    total,
    status,
    error,
    loadingMore,
    sendingId,
    hasMore,
    loadGroups,
    search,
    loadMore,
    setQuery,
    setGroup,
    showFavorites,
    toggleFavorite,
    send,
  };
});
