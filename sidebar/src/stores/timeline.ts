import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import { api } from '../api/client';
import type { NoteBody, NotePatchBody, TimelineFilter, TimelineItem } from '../api/types';

export const TIMELINE_PAGE_SIZE = 20;

/**
 * One customer's timeline, newest first, read page by page with the server's keyset cursor. Changing the filter
 * or the customer starts over; an answer to an older request (a previous filter) is dropped, never mixed in.
 */
export const useTimelineStore = defineStore('timeline', () => {
  const externalUserId = ref<string | null>(null);
  const filter = ref<TimelineFilter>('all');
  const items = ref<TimelineItem[]>([]);
  const cursor = ref<string | null>(null);
  const finished = ref(false);
  const loading = ref(false);
  const error = shallowRef<unknown>(null);
  /** Bumped by every reset: an answer for an older generation is ignored. */
  let generation = 0;

  function reset(id: string, nextFilter: TimelineFilter = 'all') {
    generation++;
    externalUserId.value = id;
    filter.value = nextFilter;
    items.value = [];
    cursor.value = null;
    finished.value = false;
    loading.value = false;
    error.value = null;
  }

  async function loadMore() {
    const id = externalUserId.value;
    if (!id || loading.value || finished.value) return;
    const gen = generation;
    loading.value = true;
    error.value = null;
    try {
      const page = await api.timeline(id, { filter: filter.value, cursor: cursor.value, limit: TIMELINE_PAGE_SIZE });
      if (gen !== generation) return;
      // Items written between two pages can shift an offset; with a keyset they cannot, but never show one twice.
      const seen = new Set(items.value.map((i) => i.id));
      items.value = [...items.value, ...page.items.filter((i) => !seen.has(i.id))];
      cursor.value = page.nextCursor;
      finished.value = page.nextCursor === null;
    } catch (err) {
      if (gen === generation) error.value = err;
    } finally {
      if (gen === generation) loading.value = false;
    }
  }

  async function setFilter(next: TimelineFilter) {
    if (!externalUserId.value || next === filter.value) return;
    reset(externalUserId.value, next);
    await loadMore();
  }

  /** Back to the first page (after a note, a send, a tag change: the new item is the newest). */
  async function refresh() {
    if (!externalUserId.value) return;
    reset(externalUserId.value, filter.value);
    await loadMore();
  }

  async function addNote(body: NoteBody) {
    const id = externalUserId.value;
    if (!id) throw new Error('no customer loaded');
    await api.addNote(id, body);
    await refresh();
  }

  async function editNote(noteId: number, body: NotePatchBody) {
    const id = externalUserId.value;
    if (!id) throw new Error('no customer loaded');
    await api.editNote(id, noteId, body);
    await refresh();
  }

  return {
    externalUserId,
    filter,
    items,
    cursor,
    finished,
    loading,
    error,
    reset,
    loadMore,
    setFilter,
    refresh,
    addNote,
    editNote,
  };
});
