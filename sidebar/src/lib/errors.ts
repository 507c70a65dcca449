import { ApiError } from '../api/client';
import { WecomError } from '../wecom/adapter';

/** What the page tells a rep about a failure, in Chinese, and whether trying again can help. */
export interface ErrorView {
  title: string;
  message: string;
  retryable: boolean;
  /** A redirect to the login page is under way: show a spinner, not an error. */
  pending?: boolean;
}

const FIELD_NAMES: Record<string, string> = {
  remark: '备注',
  description: '描述',
  content: '内容',
  dueAt: '提醒时间',
  stageId: '阶段',
};

/** Han characters: a server message a rep can read. */
const CJK = /[\u4e00-\u9fff]/;

export function describeError(err: unknown): ErrorView {
  if (err instanceof WecomError) {
    switch (err.code) {
      case 'not_in_wecom':
        return { title: '请在企业微信中打开', message: err.message, retryable: false };
      case 'unsupported_entry':
      case 'no_external_contact':
        return { title: '没有找到当前客户', message: err.message, retryable: err.code === 'no_external_contact' };
      case 'cancelled':
        return { title: '已取消', message: err.message, retryable: false };
      default:
        return { title: '企业微信接口调用失败', message: err.message, retryable: true };
    }
  }
  if (err instanceof ApiError) {
    if (err.code === 'reauthenticating') {
      return { title: '正在重新登录…', message: '', retryable: false, pending: true };
    }
    if (err.code === 'not_permitted') return { title: '没有权限', message: err.message, retryable: false };
    if (err.status === 401) {
      return { title: '登录已过期', message: '登录已过期，请重新打开侧边栏', retryable: true };
    }
    // The sidebar only ever asks about the customer of the current chat: a 403 means it is not this rep's.
    if (err.status === 403) {
      return { title: '无权查看', message: '该客户不是你跟进的客户，无法查看或修改', retryable: false };
    }
    if (err.status === 0) return { title: '网络异常', message: err.message, retryable: true };
    // The server words its errors in Chinese for the rep (and hides 5xx details): prefer its sentence.
    const own = CJK.test(err.message) ? err.message : null;
    // Asking again finds nothing either: no 重试 (the rep reopens the sidebar once the customer is synced).
    if (err.status === 404) {
      return { title: '未找到', message: own ?? '没有找到该客户，可能已被删除或尚未同步', retryable: false };
    }
    if (err.status === 429) return { title: '操作太频繁', message: own ?? '操作太频繁，请稍后再试', retryable: true };
    if (err.status >= 500) {
      return { title: '服务暂时不可用', message: own ?? '服务暂时不可用，请稍后重试', retryable: true };
    }
    if (err.status === 400 || err.status === 422) {
      const field = err.field ? FIELD_NAMES[err.field.replace(/^\/(body\/)?/, '')] : undefined;
      const generic = field ? `「${field}」填写有误，请检查后重试` : '提交的内容有误，请检查后重试';
      return { title: '提交的内容有误', message: own ?? generic, retryable: false };
    }
    if (err.status === 409) {
      return { title: '操作冲突', message: own ?? '数据已被修改，请刷新后重试', retryable: true };
    }
    return { title: '请求失败', message: own ?? `请求失败（${err.status}），请稍后重试`, retryable: true };
  }
  return { title: '页面出错了', message: '页面出现异常，请重试或关闭侧边栏后重新打开', retryable: true };
}
