import { ref, shallowRef } from 'vue';

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

/**
 * A load whose latest call wins: the status and error of one list or card, and `run`, which fetches and applies
 * the answer unless a newer `run` started meanwhile (a rep typing fast, or switching customers, must never see an
 * older answer overwrite a newer one).
 */
export function latestLoad() {
  const status = ref<LoadStatus>('idle');
  const error = shallowRef<unknown>(null);
  let generation = 0;

  async function run<T>(fetch: () => Promise<T>, apply: (value: T) => void): Promise<void> {
    const mine = ++generation;
    status.value = 'loading';
    error.value = null;
    try {
      const value = await fetch();
      if (mine !== generation) return;
      apply(value);
      status.value = 'ready';
    } catch (err) {
      if (mine !== generation) return;
      error.value = err;
      status.value = 'error';
    }
  }

  /** For a follow-up load of the current result (the next page): true until another `run` starts. */
  function stillCurrent(): () => boolean {
    const mine = generation;
    return () => mine === generation;
  }

  return { status, error, run, stillCurrent };
}
