import { EmulatorArchive, type ArchiveOptions } from './archive.js';
import type { CallRecord } from './call-log.js';
import { ApiDispatcher, type ApiRequest, type ApiResponse } from './cgi.js';
import { EmulatorCore, type CoreOptions } from './core.js';
import { EmulatorInputError } from './errcodes.js';
import type { Fault, FaultInput } from './faults.js';
import { repsOfWay } from './qr-page.js';
import { contactWayRoutes } from './routes-contact-way.js';
import { directoryRoutes } from './routes-directory.js';
import { externalContactRoutes } from './routes-externalcontact.js';
import { groupChatRoutes } from './routes-groupchat.js';
import { mediaRoutes } from './routes-media.js';
import { messageRoutes } from './routes-messages.js';
import { msgTemplateRoutes } from './routes-msg-template.js';
import { archiveApiRoutes } from './routes-archive.js';
import { oauthApiRoutes } from './routes-oauth.js';
import { statsRoutes } from './routes-stats.js';
import { tagRoutes } from './routes-tags.js';
import { tokenRoutes } from './routes-token.js';
import { welcomeRoutes } from './routes-welcome.js';
import {
  parseSimulateInput,
  simulate,
  type CallbackRecord,
  type SimulateInput,
  type SimulateResult,
} from './simulate.js';
import { buildSnapshot, type EmulatorSnapshot } from './snapshot.js';
import type { EmulatorCorp } from './types.js';

/** How to build an emulator (documented on CoreOptions, which the core takes as is; `archive`: archive.ts). */
export type EmulatorOptions = CoreOptions & { archive?: ArchiveOptions };

export interface Emulator {
  readonly corp: Readonly<EmulatorCorp>;
  /** Makes WeCom send a change_external_contact callback (see SimulateInput). Throws EmulatorInputError. */
  simulate(input: SimulateInput): Promise<SimulateResult>;
  /** A customer scans a contact way's QR code: picks the rep (round-robin), adds the customer, sends the callback. */
  scanContactWay(configId: string, customerName?: string): Promise<SimulateResult>;
  /** Mints an OAuth code for a member, as the authorize page does (for tests that skip the browser). */
  issueOAuthCode(userId: string, scope?: 'snsapi_base' | 'snsapi_privateinfo'): string;
  /** Recorded `/cgi-bin` calls, optionally of one path. */
  calls(path?: string): CallRecord[];
  clearCalls(): void;
  addFault(fault: FaultInput): void;
  faults(): Fault[];
  clearFaults(): void;
  /** Expires every issued access_token now (later calls answer 42001); returns how many. */
  expireTokens(): number;
  /** Moves the emulator clock forward; returns the new time (ms). */
  advanceClock(ms: number): number;
  /** The emulator clock (ms). */
  now(): number;
  snapshot(): EmulatorSnapshot;
  /** Callbacks sent so far (memory only). */
  callbacks(): CallbackRecord[];
  /** Answers one WeCom API request (the plugin's /cgi-bin/* route calls this). */
  handleApi(req: ApiRequest): Promise<ApiResponse>;
  /** Flushes the state file and aborts in-flight callback deliveries. */
  close(): Promise<void>;
  /** The chat archive (会话内容存档) the stand-in Finance SDK reads; `POST /_chat` writes to it. */
  readonly archive: EmulatorArchive;
  /** @internal state and services, for the plugin's pages. */
  readonly core: EmulatorCore;
}

export function createEmulator(options: EmulatorOptions): Emulator {
  const core = new EmulatorCore(options);
  const archive = new EmulatorArchive(core, options.archive);
  const dispatcher = new ApiDispatcher(core, [
    ...tokenRoutes(core),
    ...directoryRoutes(core),
    ...externalContactRoutes(core),
    ...tagRoutes(core),
    ...contactWayRoutes(core),
    ...welcomeRoutes(core),
    ...msgTemplateRoutes(core),
    ...mediaRoutes(core),
    ...messageRoutes(core),
    ...statsRoutes(core),
    ...groupChatRoutes(core),
    ...oauthApiRoutes(core),
    ...archiveApiRoutes(core, archive),
  ]);

  return {
    corp: core.corp,
    core,
    archive,
    simulate: (input) => simulate(core, parseSimulateInput(input)),
    scanContactWay: async (configId, customerName) => {
      const way = core.findContactWay(configId);
      if (!way) throw new EmulatorInputError(`unknown contact way ${configId}`);
      const reps = repsOfWay(core, way);
      if (reps.length === 0) throw new EmulatorInputError('this contact way has no rep to receive the customer');
      // Multi-rep ways hand customers out in turn.
      const rep = reps[way.next_user_index % reps.length] ?? (reps[0] as (typeof reps)[number]);
      way.next_user_index = (way.next_user_index + 1) % reps.length;
      core.changed();
      return simulate(
        core,
        parseSimulateInput({
          changeType: 'add_external_contact',
          userId: rep.userid,
          state: way.state || undefined,
          name: customerName,
        }),
        { viaContactWay: true },
      );
    },
    issueOAuthCode: (userId, scope = 'snsapi_base') => {
      if (!core.findRep(userId)) throw new EmulatorInputError(`unknown rep userId "${userId}"`);
      return core.credentials.issueOAuthCode(userId, scope);
    },
    calls: (path) => core.callLog.list(path),
    clearCalls: () => core.callLog.clear(),
    addFault: (fault) => core.faults.add(fault),
    faults: () => core.faults.list(),
    clearFaults: () => core.faults.clear(),
    expireTokens: () => core.credentials.expireAllTokens(),
    advanceClock: (ms) => {
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0)
        throw new EmulatorInputError('advanceMs must be a number ≥ 0');
      core.clock.advance(ms);
      return core.clock.nowMs();
    },
    now: () => core.clock.nowMs(),
    snapshot: () => buildSnapshot(core, archive),
    callbacks: () => structuredClone(core.callbacks),
    handleApi: (req) => dispatcher.handle(req),
    close: async () => {
      core.shutdown.abort();
      core.flush();
    },
  };
}
