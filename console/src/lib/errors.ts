import { reactive, ref } from 'vue';
import { ApiError } from '../api/client';

/** Han characters: a server message a manager can read as it is. */
const CJK = /[\u4e00-\u9fff]/;

/** One Chinese sentence for a failure: the server's own words when it gave some, else what the status means. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 0) return err.message;
    if (CJK.test(err.message)) return err.message;
    if (err.status === 401) return '登录已过期，请重新登录';
    if (err.status === 403) return '没有权限执行该操作';
    if (err.status === 404) return '没有找到，可能已被删除';
    if (err.status === 409) return '数据已被修改，请刷新后重试';
    if (err.status === 429) return '操作太频繁，请稍后再试';
    if (err.status >= 500) return '服务暂时不可用，请稍后重试';
    return `请求失败（${err.status}），请稍后重试`;
  }
  return '页面出现异常，请刷新后重试';
}

/** The session ended: the sign-in page takes over, nothing else needs saying. */
export function isSessionEnd(err: unknown): boolean {
  return err instanceof ApiError && err.status === 401;
}

/**
 * The server's errors placed on the form field they name (`field`: `name`, `welcome.variants.0.start` …). A form
 * lists the fields it shows; an error is put on the longest listed prefix of its field, else it is the form's own
 * error (shown above the buttons), so no message is ever lost.
 */
export function useFieldErrors(fields: readonly string[] | (() => readonly string[])) {
  const known = () => (typeof fields === 'function' ? fields() : fields);
  const errors = reactive<Record<string, string>>({});
  const formError = ref('');

  function clear(field?: string) {
    if (field === undefined) {
      for (const key of Object.keys(errors)) delete errors[key];
      formError.value = '';
    } else {
      delete errors[field];
    }
  }

  /** The listed field an error about `field` belongs to, or null. */
  function placeOf(field: string | undefined): string | null {
    if (!field) return null;
    let best: string | null = null;
    for (const name of known()) {
      if (field === name || field.startsWith(`${name}.`)) {
        if (best === null || name.length > best.length) best = name;
      }
    }
    return best;
  }

  /** Takes a failed save: true when it was a validation error now shown on the form. */
  function take(err: unknown): boolean {
    if (!(err instanceof ApiError) || err.status === 401) return false;
    if (err.status !== 400 && err.status !== 409 && err.status !== 422) return false;
    const place = placeOf(err.field);
    if (place) errors[place] = err.message;
    else formError.value = err.message;
    return true;
  }

  return { errors, formError, clear, take, placeOf };
}
