import { statSync } from 'node:fs';
import { loadArchivePrivateKeys, PrivateKeysError } from './private-keys.js';

/**
 * The archive's part of the environment (names fixed by the design):
 * - WECOM_FINANCE_SDK_PATH: WeCom's libWeWorkFinanceSdk_C.so (or the stand-in built from native/finance-sdk);
 * - WECOM_ARCHIVE_SECRET: the 聊天内容存档 Secret (管理工具 → 聊天内容存档);
 * - WECOM_ARCHIVE_PRIVATE_KEYS: the RSA private keys by publickey_ver (a directory or JSON, private-keys.ts).
 * All three or none: none leaves the archive off.
 */
export interface ArchiveConfig {
  sdkPath: string;
  secret: string;
  /** publickey_ver → PEM. */
  privateKeys: Map<number, string>;
}

const NAMES = ['WECOM_FINANCE_SDK_PATH', 'WECOM_ARCHIVE_SECRET', 'WECOM_ARCHIVE_PRIVATE_KEYS'] as const;

/** The archive configuration, null when it is off, and every problem found (config fails at boot with them). */
export function parseArchiveEnv(env: Record<string, string | undefined>): {
  config: ArchiveConfig | null;
  problems: string[];
} {
  const present = NAMES.filter((name) => (env[name] ?? '').trim() !== '');
  if (present.length === 0) return { config: null, problems: [] };
  const problems: string[] = [];
  for (const name of NAMES) {
    if (!present.includes(name)) problems.push(`${name} is required with ${present.join(', ')}`);
  }
  const sdkPath = (env.WECOM_FINANCE_SDK_PATH ?? '').trim();
  if (sdkPath) {
    try {
      if (!statSync(sdkPath).isFile()) problems.push(`WECOM_FINANCE_SDK_PATH ${sdkPath} is not a file`);
    } catch {
      problems.push(`WECOM_FINANCE_SDK_PATH ${sdkPath} does not exist`);
    }
  }
  const secret = (env.WECOM_ARCHIVE_SECRET ?? '').trim();
  let privateKeys = new Map<number, string>();
  if (env.WECOM_ARCHIVE_PRIVATE_KEYS?.trim()) {
    try {
      privateKeys = loadArchivePrivateKeys(env.WECOM_ARCHIVE_PRIVATE_KEYS);
    } catch (err) {
      if (!(err instanceof PrivateKeysError)) throw err;
      problems.push(...err.problems.map((p) => `WECOM_ARCHIVE_PRIVATE_KEYS: ${p}`));
    }
  }
  if (problems.length > 0) return { config: null, problems };
  return { config: { sdkPath, secret, privateKeys }, problems };
}
