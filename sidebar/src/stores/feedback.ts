import { defineStore } from 'pinia';
import { closeToast, showSuccessToast } from 'vant';
import { ref } from 'vue';
import { describeError } from '../lib/errors';

export interface Notice {
  id: number;
  message: string;
  /** Present when trying again can help: the toast shows a 重试 button. */
  retry?: () => unknown;
}

const NOTICE_MS = 8000;
/** A success toast only confirms: short. */
const SUCCESS_MS = 1500;

/**
 * What the rep is told about an action: a short success toast (已保存, 已发送…), or a failure in Chinese with 重试 when
 * trying again can help.
 */
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

  function success(message: string) {
    showSuccessToast({ message, duration: SUCCESS_MS });
  }

  /**
   * A sheet or dialog is opening: the toast of the previous action would otherwise stay on screen under its overlay
   * (dimmed, but visible) until it times out.
   */
  function clearSuccess() {
    closeToast(true);
  }

  return { notice, fail, dismiss, retry, success, clearSuccess };
});
