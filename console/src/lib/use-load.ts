import { ref, shallowRef, type Ref, type ShallowRef } from 'vue';
import { errorMessage, isSessionEnd } from './errors';

export interface Loader<T> {
  data: ShallowRef<T | null>;
  loading: Ref<boolean>;
  /** The failure of the last load, in Chinese ('' when it worked). */
  error: Ref<string>;
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
  let generation = 0;

  async function run() {
    const mine = ++generation;
    loading.value = true;
    error.value = '';
    try {
      const value = await load();
      if (mine === generation) data.value = value;
    } catch (err) {
      if (mine === generation && !isSessionEnd(err)) error.value = errorMessage(err);
    } finally {
      if (mine === generation) loading.value = false;
    }
  }

  return { data, loading, error, run };
}
