/**
 * The rules the server applies to a new password (server/modules/console-auth/password.ts), in its words, so most
 * mistakes are shown before sending. The server also refuses common passwords, which it alone knows.
 */
export function passwordProblem(password: string, username: string | null | undefined): string {
  const length = [...password].length;
  if (length < 10) return '密码至少 10 个字符';
  if (length > 128) return '密码最多 128 个字符';
  if (/\p{Cc}/u.test(password)) return '密码不能包含控制字符';
  if (!/\p{L}/u.test(password) || !/[^\p{L}]/u.test(password)) return '密码需同时包含字母和数字（或符号）';
  if (username && username.length >= 3 && password.toLowerCase().includes(username.toLowerCase())) {
    return '密码不能包含用户名';
  }
  return '';
}
