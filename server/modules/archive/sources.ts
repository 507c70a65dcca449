import {
  createFinanceArchiveSource,
  ensureStandInSdk,
  standInSdkUrl,
  STAND_IN_URL_ENV,
  type ChatDataItem,
  type DecryptResult,
  type FinanceArchiveSource,
  type SupervisorEvent,
} from '../../archive/index.js';
import type { ArchiveSettings } from '../../config.js';

/** The archive's credentials when the emulator plays WeCom (demo mode, tests). */
export interface EmulatorArchiveAccess {
  credentials(): Promise<{ corpId: string; secret: string; privateKeys: Record<number, string> }>;
}

/** A corp's archive: the SDK process that pulls and fetches media, and the processes that decrypt. */
export interface CorpArchive {
  corpId: string;
  /** The 聊天内容存档 Secret (its access token calls the msgaudit APIs). */
  secret: string;
  pull(afterSeq: number, limit: number): Promise<ChatDataItem[]>;
  /** Decrypts a batch, spread over the decrypt processes (DecryptData needs no SDK session of its own). */
  decrypt(items: ChatDataItem[]): Promise<DecryptResult[]>;
  primary: FinanceArchiveSource;
  /** CPU split of the decrypt processes (RSA, DecryptData, JSON), summed. */
  stats(): { rsaMs: number; sdkMs: number; parseMs: number; decrypted: number };
  /** The SDK processes running now (for operations and the benchmark's CPU figures). */
  pids(): number[];
  close(): Promise<void>;
}

/**
 * Opens each corp's archive on first use (the first pull or media fetch), so a server whose archive is never used
 * never starts an SDK process: the configured Finance SDK for the configured corp, or in demo mode the stand-in
 * SDK (built from native/finance-sdk on demand) pointed at our own emulator.
 */
export function createArchiveSources(deps: {
  settings: ArchiveSettings;
  /** The corp the environment configures: the only one with an archive. */
  corpId: () => string;
  emulator: () => EmulatorArchiveAccess | undefined;
  internalOrigin: () => string;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}) {
  const open = new Map<string, Promise<CorpArchive>>();

  function onEvent(event: SupervisorEvent): void {
    if (event.type === 'exited' && event.crashed)
      deps.log.warn(event, 'the Finance SDK process stopped; restarting it');
    else if (event.type === 'start_failed') deps.log.warn({ err: event.error }, 'the Finance SDK did not start');
  }

  async function build(corpId: string): Promise<CorpArchive> {
    const source = deps.settings.source!;
    let options;
    if (source.kind === 'emulator') {
      const emulator = deps.emulator();
      if (!emulator) throw new Error('the demo archive needs the emulator');
      const [sdkPath, creds] = await Promise.all([ensureStandInSdk(), emulator.credentials()]);
      options = {
        sdkPath,
        corpId: creds.corpId,
        secret: creds.secret,
        privateKeys: creds.privateKeys,
        env: { ...process.env, [STAND_IN_URL_ENV]: standInSdkUrl(deps.internalOrigin()) },
      };
    } else {
      options = {
        sdkPath: source.sdkPath,
        corpId,
        secret: source.secret,
        privateKeys: source.privateKeys,
        proxy: source.proxy || undefined,
        proxyPassword: source.proxyPassword || undefined,
        env: source.env ? { ...process.env, ...source.env } : undefined,
      };
    }
    const common = { ...options, restartDelayMs: { initial: 100, max: 10_000 }, onEvent };
    const primary = createFinanceArchiveSource(common);
    const decrypters = [
      primary,
      ...Array.from({ length: deps.settings.decryptProcesses - 1 }, () => createFinanceArchiveSource(common)),
    ];
    deps.log.info({ corpId, decryptProcesses: decrypters.length }, 'chat archive opened');
    return {
      corpId,
      secret: options.secret,
      primary,
      pull: (afterSeq, limit) => primary.pull(afterSeq, limit),
      async decrypt(items) {
        const share = Math.ceil(items.length / decrypters.length);
        const parts = await Promise.all(
          decrypters.map((d, i) => Promise.all(items.slice(i * share, (i + 1) * share).map((item) => d.decrypt(item)))),
        );
        return parts.flat();
      },
      stats() {
        const total = { rsaMs: 0, sdkMs: 0, parseMs: 0, decrypted: 0 };
        for (const d of decrypters) {
          const s = d.stats();
          total.rsaMs += s.rsaMs;
          total.sdkMs += s.sdkMs;
          total.parseMs += s.parseMs;
          total.decrypted += s.decrypted;
        }
        return total;
      },
      pids: () => decrypters.flatMap((d) => (d.workerPid() === null ? [] : [d.workerPid()!])),
      close: async () => {
        await Promise.all(decrypters.map((d) => d.close()));
      },
    };
  }

  return {
    configured: () => deps.settings.source !== null,

    /** The corp's archive, or null when it has none configured. */
    async get(corpId: string): Promise<CorpArchive | null> {
      if (!deps.settings.source || corpId !== deps.corpId()) return null;
      let found = open.get(corpId);
      if (!found) {
        found = build(corpId);
        open.set(corpId, found);
        // A failed start (the stand-in did not build) is tried again by the next caller.
        found.catch(() => open.delete(corpId));
      }
      return found;
    },

    async close(): Promise<void> {
      const all = [...open.values()];
      open.clear();
      await Promise.all(all.map(async (p) => (await p.catch(() => null))?.close()));
    },
  };
}
export type ArchiveSources = ReturnType<typeof createArchiveSources>;
