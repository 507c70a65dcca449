import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../config.js';
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import type { AccountsService } from '../modules/console-auth/accounts-service.js';
import { systemContext } from '../modules/console-auth/actor.js';
import { checkPasswordRules, generatePassword, verifyPassword } from '../modules/console-auth/password.js';
import type { ConsoleAuthRepo } from '../modules/console-auth/repo.js';

/** The demo's console admin: a local account, so the console can be tried without WeCom's sign-in. */
export const DEMO_ADMIN_USERNAME = 'admin';
const DEMO_ADMIN_NAME = '演示管理员';
const PASSWORD_FILE = 'admin-password';

const acceptable = (password: string): string | null => {
  try {
    checkPasswordRules(password, DEMO_ADMIN_USERNAME, 'password');
    return null;
  } catch (err) {
    if (err instanceof AppError) return err.message;
    throw err;
  }
};

/**
 * The demo admin's password: DEMO_ADMIN_PASSWORD when set (it must meet the password rules: a ConfigError
 * otherwise), else one generated on the first start and kept in the data folder (mode 0600, as admin-token), so the
 * password a user copied keeps working after a restart.
 */
export function demoAdminPassword(dataDir: string, fromEnv: string | undefined): string {
  if (fromEnv !== undefined && fromEnv !== '') {
    const problem = acceptable(fromEnv);
    if (problem) throw new ConfigError([`DEMO_ADMIN_PASSWORD is not accepted: ${problem}`]);
    return fromEnv;
  }
  const generate = () => {
    for (;;) {
      const candidate = generatePassword();
      if (acceptable(candidate) === null) return candidate;
    }
  };
  if (dataDir === ':memory:') return generate();
  const file = join(dataDir, PASSWORD_FILE);
  if (existsSync(file)) {
    const kept = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    if (acceptable(kept) === null) return kept;
  }
  mkdirSync(dataDir, { recursive: true });
  const password = generate();
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}

/**
 * Makes sure the demo corp has the local account `admin` (role admin) and that `password` signs it in: created on
 * the first start; on later starts its password is set back to `password` when it no longer matches (a changed
 * DEMO_ADMIN_PASSWORD, or a password changed in the console), so the banner's password always works. Both changes
 * go through the accounts service (the audit log names the demo's set-up). A disabled account stays disabled.
 */
export async function ensureDemoAdmin(
  deps: {
    db: Database;
    repo: Pick<ConsoleAuthRepo, 'findByUsername'>;
    accounts: Pick<AccountsService, 'createLocal' | 'resetPassword'>;
  },
  corpId: string,
  password: string,
): Promise<{ created: boolean; passwordSet: boolean; disabled: boolean }> {
  const ctx = systemContext(corpId, '演示初始化');
  const existing = await deps.repo.findByUsername(deps.db, corpId, DEMO_ADMIN_USERNAME);
  if (!existing) {
    await deps.accounts.createLocal(ctx, {
      username: DEMO_ADMIN_USERNAME,
      name: DEMO_ADMIN_NAME,
      password,
      role: 'admin',
      mustChangePassword: false,
    });
    return { created: true, passwordSet: true, disabled: false };
  }
  const matches = await verifyPassword(password, existing.passwordHash);
  if (!matches) await deps.accounts.resetPassword(ctx, existing.id, { password, mustChangePassword: false });
  return { created: false, passwordSet: !matches, disabled: existing.disabledAt !== null };
}
