import { randomBytes } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { canonicalTimeZone, DEFAULT_TIME_ZONE } from '../shared/time-zone.js';
import { parseArchiveEnv, type ArchiveConfig } from './archive/config.js';
import { validateEncodingAesKey } from './wecom/crypto.js';
import type { CorpCredentials } from './wecom/types.js';

export type { CorpCredentials };

/** The WeCom app this deployment talks to (the default corp). */
export interface WecomConfig extends CorpCredentials {
  /** `null` means "our own emulator", resolved from the listening address at run time. */
  apiBase: string | null;
  oauthBase: string | null;
}

export interface WorkerConfig {
  /** How many inbox events / jobs run at the same time. */
  concurrency: number;
  /** Poll interval for retries whose backoff has elapsed. */
  pollMs: number;
  /** First retry delay; doubles per attempt. */
  backoffBaseMs: number;
  maxAttempts: number;
  /** Inbox processing pauses while callbacks arrive faster than this (a storm), so acknowledgements stay fast. */
  pauseAboveCallbacksPerSecond: number;
  /**
   * How long an instance holds an item it claimed without renewing (renewed every third of it while the item runs).
   * An instance that dies leaves its items to the others after this.
   */
  leaseMs: number;
}

export type DatabaseConfig = { backend: 'sqlite'; path: string } | { backend: 'postgres'; url: string };

/** The chat archive (会话内容存档) and what is kept of it. */
export interface ArchiveSettings {
  /**
   * Where messages come from: WeCom's Finance SDK (WECOM_FINANCE_SDK_PATH, WECOM_ARCHIVE_SECRET,
   * WECOM_ARCHIVE_PRIVATE_KEYS; `env` adds variables for the SDK process), the stand-in SDK fed by our own emulator
   * (demo mode), or none (the archive is off; sidebar sends are still recorded).
   */
  source:
    | (ArchiveConfig & { kind: 'sdk'; proxy: string; proxyPassword: string; env?: Record<string, string> })
    | { kind: 'emulator' }
    | null;
  /** Messages per GetChatData call (ARCHIVE_BATCH_SIZE, 1..1000). */
  batchSize: number;
  /** SDK processes that decrypt (ARCHIVE_DECRYPT_PROCESSES, 1..8): RSA is the cost of ingesting. */
  decryptProcesses: number;
  /** Media files larger than this are not fetched (ARCHIVE_MEDIA_MAX_BYTES). */
  mediaMaxBytes: number;
  /**
   * While a sidebar shows a chat history, pull this often (ARCHIVE_LIVE_PULL_MS, default 1000; 0: only on
   * msgaudit_notify and every minute). WeCom sends msgaudit_notify at most once per 15 s, which alone would leave an
   * open chat up to 15 s behind.
   */
  livePullMs: number;
  /** Messages and media older than this many days are deleted daily (MESSAGE_RETENTION_DAYS); null keeps them. */
  retentionDays: number | null;
}

export interface Config {
  port: number;
  host: string;
  /** SQLite (DATABASE_PATH, the default) or PostgreSQL (DATABASE_URL=postgres://…). */
  database: DatabaseConfig;
  /**
   * Where the instance keeps its files: beside the SQLite file, or DATA_DIR (./data) on PostgreSQL. Holds
   * secret.key (unless SECRET_KEY is set), the demo's admin token and password, and the emulator's state.
   */
  dataDir: string;
  /** Absolute origin users reach us at (OAuth redirects, QR links); derived from host/port when unset. */
  publicUrl: string | null;
  /** Demo mode: no WECOM_CORP_ID, the emulator plays WeCom with seeded data. */
  demo: boolean;
  /** Mount the emulator at /emulator (demo mode and tests only). */
  emulator: boolean;
  adminToken: string;
  /** base64 32-byte key for secrets at rest; null → a key file beside the database. */
  secretKey: string | null;
  logLevel: string;
  /**
   * Whom to believe for the client address (X-Forwarded-For): false (default: the socket's peer), true (any
   * proxy), or a comma-separated list of proxy addresses / CIDRs. Rate limits key on this address.
   */
  trustProxy: boolean | string;
  wecom: WecomConfig;
  worker: WorkerConfig;
  /** Start cron jobs and boot-time syncs (off in unit tests). */
  backgroundJobs: boolean;
  /** Days to keep handled inbox events and done jobs (RETENTION_DAYS). */
  retentionDays: number;
  /**
   * The company's own language model (LLM_BASE_URL and LLM_API_KEY, both or neither; LLM_MODEL, LLM_TIMEOUT_MS):
   * reranks reply suggestions and drafts one reply. Null (the default): nothing about customers leaves the server.
   */
  llm: LlmSettings | null;
  /**
   * The corp's IANA time zone (CORP_TIME_ZONE, default Asia/Shanghai): every "day" (channel stats, daily caps,
   * welcome time slots, nightly jobs) and the times the sidebar shows follow it, never the server's own zone.
   */
  timeZone: string;
  archive: ArchiveSettings;
  /**
   * How long today's dashboard figures, computed live, are shared between calls (DASHBOARD_LIVE_SECONDS, default
   * 30; 0 computes them at every call): the console's figures for today are at most this old.
   */
  dashboardLiveMs: number;
}

/** An OpenAI-compatible chat-completions endpoint. */
export interface LlmSettings {
  /** e.g. https://llm.example.com/v1 (`/chat/completions` is appended). */
  baseUrl: string;
  apiKey: string;
  model: string;
  /** The model's whole budget per suggestion request; past it the plain ranking is answered (≤ 1400 ms). */
  timeoutMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function parsePort(raw: string | undefined, problems: string[]): number {
  if (raw === undefined || raw === '') return 3000;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    problems.push(`PORT must be an integer between 0 and 65535 (got "${raw}")`);
    return 3000;
  }
  return n;
}

function parseUrl(name: string, raw: string | undefined, problems: string[]): string | null {
  if (raw === undefined || raw === '') return null;
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
    return raw.replace(/\/+$/, '');
  } catch {
    problems.push(`${name} must be an absolute http(s) URL (got "${raw}")`);
    return null;
  }
}

/** The language model's settings: off unless both LLM_BASE_URL and LLM_API_KEY are set. */
function parseLlmSettings(env: Env, problems: string[]): LlmSettings | null {
  const urlRaw = env.LLM_BASE_URL?.trim() ?? '';
  const apiKey = env.LLM_API_KEY?.trim() ?? '';
  const timeoutRaw = env.LLM_TIMEOUT_MS?.trim() ?? '';
  const timeoutMs = timeoutRaw === '' ? 1200 : Number(timeoutRaw);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 1400) {
    problems.push(`LLM_TIMEOUT_MS must be a whole number of milliseconds between 100 and 1400 (got "${timeoutRaw}")`);
  }
  if (urlRaw === '' && apiKey === '') return null;
  if (urlRaw === '') problems.push('LLM_API_KEY is set but LLM_BASE_URL is not (set both to use a language model)');
  if (apiKey === '') problems.push('LLM_BASE_URL is set but LLM_API_KEY is not (set both to use a language model)');
  const baseUrl = parseUrl('LLM_BASE_URL', urlRaw, problems);
  if (baseUrl === null || apiKey === '') return null;
  return { baseUrl, apiKey, model: env.LLM_MODEL?.trim() || 'gpt-4o-mini', timeoutMs };
}

/**
 * Parses the environment once. Every problem is collected so an operator fixes them all in one go;
 * the caller (main.ts) prints them and exits with code 1.
 */
export function loadConfig(env: Env, demoCorp: CorpCredentials): Config {
  const problems: string[] = [];
  const corpId = env.WECOM_CORP_ID?.trim() || '';
  const demo = corpId === '';

  const port = parsePort(env.PORT, problems);
  const host = env.HOST?.trim() || '127.0.0.1';
  const databaseUrl = env.DATABASE_URL?.trim() || '';
  const databasePath = env.DATABASE_PATH?.trim() || './data/scrm.db';
  let database: DatabaseConfig = { backend: 'sqlite', path: databasePath };
  if (databaseUrl) {
    if (!/^postgres(ql)?:\/\//.test(databaseUrl)) {
      problems.push('DATABASE_URL must be a PostgreSQL URL (postgres://user:password@host:5432/database)');
    } else {
      database = { backend: 'postgres', url: databaseUrl };
      if (env.DATABASE_PATH?.trim()) problems.push('set DATABASE_URL or DATABASE_PATH, not both');
    }
  }
  const dataDir =
    database.backend === 'sqlite'
      ? databasePath === ':memory:'
        ? ':memory:'
        : dirname(resolve(databasePath))
      : resolve(env.DATA_DIR?.trim() || './data');
  const publicUrl = parseUrl('PUBLIC_URL', env.PUBLIC_URL, problems);
  const apiBase = parseUrl('WECOM_API_BASE', env.WECOM_API_BASE, problems);
  const oauthBase = parseUrl('WECOM_OAUTH_BASE', env.WECOM_OAUTH_BASE, problems);

  const secretKey = env.SECRET_KEY?.trim() || null;
  if (secretKey !== null && Buffer.from(secretKey, 'base64').length !== 32) {
    problems.push('SECRET_KEY must be 32 bytes encoded as base64 (openssl rand -base64 32)');
  }
  if (database.backend === 'postgres' && !demo && secretKey === null) {
    problems.push('SECRET_KEY is required with DATABASE_URL: every instance must open the same sealed secrets');
  }

  let wecom: WecomConfig;
  if (demo) {
    for (const name of ['WECOM_AGENT_ID', 'WECOM_SECRET', 'WECOM_TOKEN', 'WECOM_ENCODING_AES_KEY']) {
      if (env[name])
        problems.push(`${name} is set but WECOM_CORP_ID is not (set WECOM_CORP_ID, or unset ${name} for demo mode)`);
    }
    wecom = { ...demoCorp, apiBase: null, oauthBase: null };
  } else {
    const required = ['WECOM_AGENT_ID', 'WECOM_SECRET', 'WECOM_TOKEN', 'WECOM_ENCODING_AES_KEY'] as const;
    for (const name of required) {
      if (!env[name]?.trim()) problems.push(`${name} is required when WECOM_CORP_ID is set`);
    }
    const agentRaw = env.WECOM_AGENT_ID?.trim() ?? '';
    const agentId = Number(agentRaw);
    if (agentRaw && (!Number.isInteger(agentId) || agentId <= 0)) {
      problems.push(`WECOM_AGENT_ID must be a positive integer (got "${agentRaw}")`);
    }
    const token = env.WECOM_TOKEN?.trim() ?? '';
    if (token && !/^[A-Za-z0-9]{1,32}$/.test(token)) {
      problems.push('WECOM_TOKEN must be 1 to 32 letters or digits');
    }
    const aesKey = env.WECOM_ENCODING_AES_KEY?.trim() ?? '';
    if (aesKey) {
      const problem = validateEncodingAesKey(aesKey);
      if (problem) problems.push(`WECOM_ENCODING_AES_KEY ${problem}`);
    }
    wecom = {
      corpId,
      corpName: env.WECOM_CORP_NAME?.trim() || corpId,
      agentId,
      secret: env.WECOM_SECRET?.trim() ?? '',
      token,
      encodingAesKey: aesKey,
      apiBase: apiBase ?? 'https://qyapi.weixin.qq.com',
      oauthBase: oauthBase ?? 'https://open.weixin.qq.com',
    };
  }

  let adminToken = env.ADMIN_TOKEN?.trim() || '';
  if (!adminToken) {
    if (demo) adminToken = randomBytes(18).toString('base64url');
    else problems.push('ADMIN_TOKEN is required when WECOM_CORP_ID is set (the admin API is never open)');
  } else if (adminToken.length < 16) {
    problems.push('ADMIN_TOKEN must be at least 16 characters');
  }

  const concurrencyRaw = env.WORKER_CONCURRENCY?.trim() ?? '';
  const concurrency = concurrencyRaw === '' ? 16 : Number(concurrencyRaw);
  if (!Number.isInteger(concurrency) || concurrency < 0 || concurrency > 256) {
    problems.push(`WORKER_CONCURRENCY must be an integer between 0 and 256 (got "${concurrencyRaw}")`);
  }

  const leaseRaw = env.WORKER_LEASE_MS?.trim() ?? '';
  const leaseMs = leaseRaw === '' ? 30_000 : Number(leaseRaw);
  if (!Number.isInteger(leaseMs) || leaseMs < 1_000 || leaseMs > 600_000) {
    problems.push(`WORKER_LEASE_MS must be a whole number of milliseconds between 1000 and 600000 (got "${leaseRaw}")`);
  }

  const trustRaw = env.TRUST_PROXY?.trim() ?? '';
  const trustProxy = trustRaw === '' || trustRaw === 'false' ? false : trustRaw === 'true' ? true : trustRaw;
  if (typeof trustProxy === 'string' && !/^[0-9a-fA-F.:/]+(\s*,\s*[0-9a-fA-F.:/]+)*$/.test(trustProxy)) {
    problems.push(`TRUST_PROXY must be true, false or a comma-separated list of addresses/CIDRs (got "${trustRaw}")`);
  }

  const retentionRaw = env.RETENTION_DAYS?.trim() ?? '';
  const retentionDays = retentionRaw === '' ? 30 : Number(retentionRaw);
  if (!Number.isInteger(retentionDays) || retentionDays < 1 || retentionDays > 3650) {
    problems.push(`RETENTION_DAYS must be a whole number of days between 1 and 3650 (got "${retentionRaw}")`);
  }

  const llm = parseLlmSettings(env, problems);

  const zoneRaw = env.CORP_TIME_ZONE?.trim() ?? '';
  const timeZone = zoneRaw === '' ? DEFAULT_TIME_ZONE : canonicalTimeZone(zoneRaw);
  if (timeZone === null) {
    problems.push(`CORP_TIME_ZONE must be an IANA time zone name such as Asia/Shanghai (got "${zoneRaw}")`);
  }

  const archive = parseArchiveSettings(env, demo, problems);
  const dashboardLiveSeconds = intSetting(env, 'DASHBOARD_LIVE_SECONDS', 30, [0, 600], problems, ' of seconds');

  if (problems.length > 0) throw new ConfigError(problems);

  return deepFreeze({
    port,
    host,
    database,
    dataDir,
    publicUrl,
    demo,
    emulator: demo,
    adminToken,
    secretKey,
    logLevel: env.LOG_LEVEL?.trim() || 'info',
    trustProxy,
    wecom,
    worker: {
      concurrency,
      pollMs: 500,
      backoffBaseMs: 1000,
      maxAttempts: 8,
      pauseAboveCallbacksPerSecond: 2000,
      leaseMs,
    },
    backgroundJobs: true,
    retentionDays,
    llm,
    timeZone: timeZone ?? DEFAULT_TIME_ZONE,
    archive,
    dashboardLiveMs: dashboardLiveSeconds * 1000,
  });
}

function intSetting(
  env: Env,
  name: string,
  fallback: number,
  range: [number, number],
  problems: string[],
  unit = '',
): number {
  const raw = env[name]?.trim() ?? '';
  if (raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < range[0] || n > range[1]) {
    problems.push(`${name} must be a whole number${unit} between ${range[0]} and ${range[1]} (got "${raw}")`);
    return fallback;
  }
  return n;
}

/** The archive's settings; in demo mode the stand-in SDK plays WeCom's, fed by the emulator. */
function parseArchiveSettings(env: Env, demo: boolean, problems: string[]): ArchiveSettings {
  const parsed = parseArchiveEnv(env);
  let source: ArchiveSettings['source'] = null;
  if (demo) {
    for (const name of ['WECOM_FINANCE_SDK_PATH', 'WECOM_ARCHIVE_SECRET', 'WECOM_ARCHIVE_PRIVATE_KEYS']) {
      if (env[name]?.trim())
        problems.push(`${name} is set but WECOM_CORP_ID is not (the demo archives through its emulator)`);
    }
    source = { kind: 'emulator' };
  } else {
    problems.push(...parsed.problems);
    if (parsed.config) {
      source = {
        kind: 'sdk',
        ...parsed.config,
        proxy: env.WECOM_ARCHIVE_PROXY?.trim() ?? '',
        proxyPassword: env.WECOM_ARCHIVE_PROXY_PASSWORD?.trim() ?? '',
      };
    }
  }
  const retentionRaw = env.MESSAGE_RETENTION_DAYS?.trim() ?? '';
  return {
    source,
    batchSize: intSetting(env, 'ARCHIVE_BATCH_SIZE', 1000, [1, 1000], problems),
    decryptProcesses: intSetting(env, 'ARCHIVE_DECRYPT_PROCESSES', 1, [1, 8], problems),
    mediaMaxBytes: intSetting(
      env,
      'ARCHIVE_MEDIA_MAX_BYTES',
      100 * 1024 * 1024,
      [1024, 2 ** 40],
      problems,
      ' of bytes',
    ),
    livePullMs: intSetting(env, 'ARCHIVE_LIVE_PULL_MS', 1000, [0, 60_000], problems, ' of milliseconds'),
    retentionDays:
      retentionRaw === ''
        ? null
        : intSetting(env, 'MESSAGE_RETENTION_DAYS', 0, [1, 36500], problems, ' of days') || null,
  };
}
