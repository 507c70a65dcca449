/**
 * Creates a local console account (the first admin of a deployment), or sets a new password for one:
 *
 *   npm run user:create -- --username alice [--name 张三] [--role admin|manager] [--departments 2,3] [--password-stdin]
 *   npm run user:create -- --reset-password --username alice [--password-stdin]
 *
 * It reads the server's configuration (the same environment as `npm start`: DATABASE_PATH or DATABASE_URL, the
 * WeCom corp or demo mode), applies the migrations as the server does at boot, and goes through the accounts service:
 * the password rules, unique usernames and the audit log (actor: 命令行) apply as in the console. The password comes
 * from one line of standard input with --password-stdin; otherwise one is generated and printed once (the account
 * then asks for a new one at its first sign-in). A reset also ends a lockout and the account's sessions.
 *
 * Bad input exits non-zero with one line in Chinese on stderr and writes no account.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Compile } from 'typebox/compile';
import { ConfigError, loadConfig, type Config } from '../server/config.js';
import type { Database } from '../server/db/database.js';
import { openDatabase } from '../server/db/open.js';
import { createSecretBox, loadSecretKey } from '../server/db/secret-box.js';
import { DEMO_CORP } from '../server/emulator/demo-corp.js';
import { AppError } from '../server/errors.js';
import { createAuditRepo } from '../server/modules/audit/repo.js';
import { createAuditService } from '../server/modules/audit/service.js';
import { createAccountsService } from '../server/modules/console-auth/accounts-service.js';
import { systemContext } from '../server/modules/console-auth/actor.js';
import { checkPasswordRules, generatePassword } from '../server/modules/console-auth/password.js';
import { createConsoleAuthRepo } from '../server/modules/console-auth/repo.js';
import { createCorpRepo } from '../server/modules/corps/repo.js';
import { createCorpService } from '../server/modules/corps/service.js';
import { patternHint } from '../shared/schemas/common.js';
import { Username } from '../shared/schemas/console-auth.js';
import { CreateLocalAccountBody } from '../shared/schemas/console-users.js';

/** Who the audit log names for changes made here. */
const ACTOR_NAME = '命令行（npm run user:create）';
const ROLE_NAMES = { admin: '管理员', manager: '主管' } as const;

const USAGE = `用法：
  npm run user:create -- --username <用户名> [--name <名称>] [--role admin|manager] [--departments 2,3] [--password-stdin]
  npm run user:create -- --reset-password --username <用户名> [--password-stdin]

  --username        登录用的用户名（3 到 32 个字符：字母、数字、点、下划线、连字符）
  --name            显示的名称（默认同用户名）
  --role            admin（管理员，默认）或 manager（主管）
  --departments     主管负责的部门 ID，逗号分隔（主管必填）
  --password-stdin  从标准输入读取一行作为密码；不加时生成一个随机密码并只显示这一次
  --reset-password  为已有的本地账号设置新密码，并解除锁定
`;

/** Bad input: one line on stderr, nothing written. */
class UsageError extends Error {}

interface Request {
  mode: 'create' | 'reset';
  username: string;
  name: string;
  role: 'admin' | 'manager';
  departmentIds: number[] | undefined;
  passwordFromStdin: boolean;
}

function parseRequest(argv: string[]): Request | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        username: { type: 'string' },
        name: { type: 'string' },
        role: { type: 'string' },
        departments: { type: 'string' },
        'password-stdin': { type: 'boolean' },
        'reset-password': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    const code = (err as { code?: string }).code;
    const option = /'([^']+)'/.exec((err as Error).message)?.[1];
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
      throw new UsageError(`不认识的参数 ${option ?? ''}（--help 查看用法）`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') throw new UsageError(`参数 ${option ?? ''} 需要一个值`);
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL')
      throw new UsageError(`多余的参数 ${option ?? ''}（--help 查看用法）`);
    throw new UsageError('参数有误（--help 查看用法）');
  }
  const v = parsed.values;
  if (v.help) return 'help';
  const mode = v['reset-password'] ? 'reset' : 'create';

  const username = v.username?.trim().toLowerCase() ?? '';
  if (!username) throw new UsageError('缺少 --username');
  if (!Compile(Username).Check(username)) {
    throw new UsageError(`用户名${patternHint(String((Username as { pattern?: string }).pattern)) ?? '格式不正确'}`);
  }

  if (mode === 'reset') {
    const extra = (['name', 'role', 'departments'] as const).find((k) => v[k] !== undefined);
    if (extra) throw new UsageError(`--reset-password 只设置密码，不能同时使用 --${extra}`);
    return {
      mode,
      username,
      name: '',
      role: 'admin',
      departmentIds: undefined,
      passwordFromStdin: !!v['password-stdin'],
    };
  }

  const role = v.role?.trim() || 'admin';
  if (role !== 'admin' && role !== 'manager') throw new UsageError(`--role 只能是 admin 或 manager（收到「${role}」）`);
  let departmentIds: number[] | undefined;
  if (v.departments !== undefined) {
    if (role !== 'manager') throw new UsageError('管理员可以查看所有部门，--departments 只用于主管（--role manager）');
    const parts = v.departments.split(',').map((s) => s.trim());
    if (parts.some((p) => !/^[1-9]\d{0,9}$/.test(p))) {
      throw new UsageError(`--departments 应为逗号分隔的部门 ID，例如 2,3（收到「${v.departments}」）`);
    }
    departmentIds = [...new Set(parts.map(Number))];
  }
  if (role === 'manager' && !departmentIds?.length)
    throw new UsageError('主管至少需要负责一个部门：请加 --departments');
  const name = v.name?.trim() ?? username;
  if (!name) throw new UsageError('名称不能为空');
  if ([...name].length > 30) throw new UsageError('名称最多 30 个字符');
  return { mode, username, name, role, departmentIds, passwordFromStdin: !!v['password-stdin'] };
}

/** One line from standard input, without its line ending. */
async function readPasswordLine(): Promise<string> {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
  try {
    for await (const line of lines) return line.replace(/\r$/, '');
    return '';
  } finally {
    lines.close();
  }
}

/** The accounts service as the server wires it, on the configured database. */
function accountsOn(db: Database, config: Config) {
  const audit = createAuditService({
    db,
    repo: createAuditRepo(db),
    now: Date.now,
    timeZone: config.timeZone,
  });
  const repo = createConsoleAuthRepo(db);
  return { repo, accounts: createAccountsService({ db, repo, audit, now: Date.now }) };
}

/**
 * Accounts belong to a corp row; the server registers the configured corp at every boot, so a deployment that has
 * not been started yet gets it here, the same way (secrets sealed with the same key). An existing row is left alone.
 */
async function ensureCorp(db: Database, config: Config): Promise<void> {
  const repo = createCorpRepo(db);
  if (await repo.find(db, config.wecom.corpId)) return;
  const corps = createCorpService({ db, repo, box: createSecretBox(loadSecretKey(config.dataDir, config.secretKey)) });
  await corps.register({ ...config.wecom, name: config.wecom.corpName });
}

async function run(request: Request, config: Config, password: string, generated: boolean): Promise<string> {
  const db = await openDatabase(config.database);
  try {
    const corpId = config.wecom.corpId;
    const ctx = systemContext(corpId, ACTOR_NAME);
    const { repo, accounts } = accountsOn(db, config);
    if (request.mode === 'reset') {
      const row = await repo.findByUsername(db, corpId, request.username);
      if (!row) throw new UsageError(`本地账号「${request.username}」不存在`);
      await accounts.resetPassword(ctx, row.id, { password, mustChangePassword: generated });
      const disabled = row.disabledAt !== null ? '（注意：该账号已停用，需由管理员在管理后台启用）' : '';
      return `已为账号「${row.username}」设置新密码并解除锁定，其已登录的会话均已退出。${disabled}`;
    }
    await ensureCorp(db, config);
    const account = await accounts.createLocal(ctx, {
      username: request.username,
      name: request.name,
      password,
      role: request.role,
      departmentIds: request.departmentIds,
      mustChangePassword: generated,
    });
    const scope = account.departments.length ? `，负责 ${account.departments.map((d) => d.name).join('、')}` : '';
    return `已创建本地账号「${account.username}」（${account.name}，${ROLE_NAMES[request.role]}${scope}）。`;
  } finally {
    await db.close();
  }
}

async function main(argv: string[]): Promise<number> {
  let request: Request | 'help';
  let config: Config;
  try {
    request = parseRequest(argv);
    if (request === 'help') {
      process.stdout.write(USAGE);
      return 0;
    }
    config = loadConfig(process.env, DEMO_CORP);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`参数错误：${err.message}\n`);
      return 2;
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`配置有误（与 npm start 使用同一组环境变量）：\n${err.message}\n`);
      return 2;
    }
    throw err;
  }

  const failed = request.mode === 'reset' ? '重置密码失败' : '创建账号失败';
  try {
    const generated = !request.passwordFromStdin;
    const password = generated ? generatePassword() : await readPasswordLine();
    if (!password) throw new UsageError('没有从标准输入读到密码（--password-stdin 读取一行）');
    // The rules once more before anything is opened: a weak password writes nothing at all.
    checkPasswordRules(password, request.username, 'password');
    if (request.mode === 'create') {
      const body = { username: request.username, name: request.name, password, role: request.role };
      if (!Compile(CreateLocalAccountBody).Check(body)) throw new UsageError('账号信息不符合要求（--help 查看用法）');
    }
    const done = await run(request, config, password, generated);
    process.stdout.write(`${done}\n`);
    if (generated) {
      // Printed once, to the terminal only: nothing else keeps it.
      process.stdout.write(`密码（只显示这一次，首次登录后需修改）：${password}\n`);
    }
    process.stdout.write(`登录地址：${config.publicUrl ?? `http://${config.host}:${config.port}`}/console/\n`);
    return 0;
  } catch (err) {
    if (err instanceof UsageError || err instanceof AppError) {
      process.stderr.write(`${failed}：${err.message}\n`);
      return 1;
    }
    process.stderr.write(`${failed}：${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
