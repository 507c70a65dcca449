import { computed, ref, shallowRef, type ComputedRef, type Ref, type ShallowRef } from 'vue';
import { ApiError } from '../api/client';
import { errorMessage, isSessionEnd } from './errors';

/** One page of a keyset-paged list, as every console list route answers it. */
export interface KeysetPage<T> {
  items: T[];
  nextCursor: string | null;
}

export interface KeysetListOptions {
  /** A page's own text for a failure (e.g. a 403 that means "admins only"); null: the usual `errorMessage`. */
  errorText?: (err: unknown) => string | null;
  /** Told the Chinese text of each failure that is shown (for a page that shows it as a message, not inline). */
  onError?: (message: string) => void;
}

export interface KeysetList<T> {
  /** The pages loaded so far, in order. */
  items: ShallowRef<T[]>;
  /** The cursor of the next page; null when the last page is loaded. */
  nextCursor: Ref<string | null>;
  hasMore: ComputedRef<boolean>;
  loading: Ref<boolean>;
  /** True once a first page has arrived (a search that has not run yet shows nothing, not "没有找到"). */
  loaded: Ref<boolean>;
  /** The failure of the last load, in Chinese ('' when it worked or the session ended). */
  error: Ref<string>;
  /** The HTTP status of the last failure (403: not in the user's scope); null otherwise. */
  status: Ref<number | null>;
  /** `load()` starts over (the filters changed); `load(true)` appends the next page. */
  load: (more?: boolean) => Promise<void>;
}

/**
 * A "加载更多" list paged by a keyset cursor — the sibling of `useLoad`. Only the latest load counts: `load()` supersedes
 * whatever is in flight, so a slow answer to an old filter never replaces (or is appended to) a newer one. `load(true)`
 * is ignored while a load is in flight (the cursor it would need is not known yet) or when there is no next page.
 */
export function useKeysetList<T>(
  fetchPage: (cursor: string | undefined) => Promise<KeysetPage<T>>,
  options: KeysetListOptions = {},
): KeysetList<T> {
  const items = shallowRef<T[]>([]);
  const nextCursor = ref<string | null>(null);
  const hasMore = computed(() => nextCursor.value !== null);
  const loading = ref(false);
  const loaded = ref(false);
  const error = ref('');
  const status = ref<number | null>(null);
  let generation = 0;

  async function load(more = false) {
    if (more && (loading.value || nextCursor.value === null)) return;
    const mine = ++generation;
    const cursor = more ? (nextCursor.value ?? undefined) : undefined;
    loading.value = true;
    error.value = '';
    status.value = null;
    try {
      const page = await fetchPage(cursor);
      if (mine !== generation) return;
      items.value = more ? [...items.value, ...page.items] : page.items;
      nextCursor.value = page.nextCursor;
      loaded.value = true;
    } catch (err) {
      if (mine !== generation || isSessionEnd(err)) return;
      error.value = options.errorText?.(err) ?? errorMessage(err);
      status.value = err instanceof ApiError ? err.status : null;
      options.onError?.(error.value);
    } finally {
      if (mine === generation) loading.value = false;
    }
  }

  return { items, nextCursor, hasMore, loading, loaded, error, status, load };
}
