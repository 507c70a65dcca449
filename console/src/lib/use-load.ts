import { ref, shallowRef, type Ref, type ShallowRef } from 'vue';
import { ApiError } from '../api/client';
import { errorMessage, isSessionEnd } from './errors';

export interface Loader<T> {
  data: ShallowRef<T | null>;
  loading: Ref<boolean>;
  /** The failure of the last load, in Chinese ('' when it worked). */
  error: Ref<string>;
  /** The HTTP status of the last failure (403: not in the user's scope; 404: not there); null otherwise. */
  status: Ref<number | null>;
  run: () => Promise<void>;
}

/**
 * One thing a page loads (a dashboard, a list) and loads again when its filters change: only the latest answer is
 * kept, so a slow answer to an old filter never replaces a newer one.
 */
export function useLoad<T>(load: () => Promise<T>): Loader<T> {
  const data = shallowRef<T | null>(null);
  const loading = ref(false);
  const error = ref('');
  const status = ref<number | null>(null);
  let generation = 0;

  async function run() {
    const mine = ++generation;
    loading.value = true;
    error.value = '';
    status.value = null;
    try {
      const value = await load();
      if (mine === generation) data.value = value;
    } catch (err) {
      if (mine === generation && !isSessionEnd(err)) {
        error.value = errorMessage(err);
        status.value = err instanceof ApiError ? err.status : null;
      }
    } finally {
      if (mine === generation) loading.value = false;
    }
  }

  return { data, loading, error, status, run };
}
