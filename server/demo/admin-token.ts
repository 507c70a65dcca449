import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The demo's admin token: generated on the first start and kept in the data folder (mode 0600), so the token a user
 * copied keeps working after a restart. A real deployment sets ADMIN_TOKEN instead.
 */
export function demoAdminToken(dataDir: string): string {
  if (dataDir === ':memory:') return randomBytes(18).toString('base64url');
  const file = join(dataDir, 'admin-token');
  if (existsSync(file)) {
    const kept = readFileSync(file, 'utf8').trim();
    if (kept.length >= 16) return kept;
  }
  mkdirSync(dataDir, { recursive: true });
  const token = randomBytes(18).toString('base64url');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}
