/**
 * What the sign-in page says when WeCom's sign-in came back with `/console/login?error=<code>`: the texts of
 * `CONSOLE_LOGIN_ERRORS` (shared/schemas/console-auth.ts), repeated here because importing that module would bring
 * TypeBox into the bundle. A unit test keeps the two equal.
 */
export const LOGIN_ERRORS: Record<string, string> = {
  state: '登录状态已失效，请重新扫码登录',
  cancelled: '已取消企业微信登录',
  code: '登录凭证无效或已过期，请重新扫码登录',
  no_access: '您没有管理后台权限，请联系管理员开通',
  disabled: '该账号已停用，请联系管理员',
  inactive_member: '该成员已停用或离职，无法登录',
  upstream: '暂时无法连接企业微信，请稍后重试',
};

export function loginErrorText(code: unknown): string {
  if (typeof code !== 'string' || code === '') return '';
  return LOGIN_ERRORS[code] ?? '企业微信登录失败，请重试';
}
