import { defineStore } from 'pinia';
import { ref } from 'vue';
import { describeError } from '../lib/errors';

export interface Notice {
  id: number;
  message: string;
  /** Present when trying again can help: the toast shows a 重试 button. */
  retry?: () => unknown;
}

const NOTICE_MS = 8000;

/** Failures of a rep's action (save, send…): a toast in Chinese, with 重试 when it makes sense. */
export const useFeedbackStore = defineStore('feedback', () => {
  const notice = ref<Notice | null>(null);
  let seq = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  function dismiss() {
    clearTimeout(timer);
    notice.value = null;
  }

  function fail(err: unknown, retry?: () => unknown) {
    const view = describeError(err);
    if (view.pending) return; // the page is on its way to the login page
    clearTimeout(timer);
    notice.value = { id: ++seq, message: view.message || view.title, retry: view.retryable ? retry : undefined };
    timer = setTimeout(dismiss, NOTICE_MS);
  }

  async function retry() {
    const again = notice.value?.retry;
    dismiss();
    await again?.();
  }

  return { notice, fail, dismiss, retry };
});
