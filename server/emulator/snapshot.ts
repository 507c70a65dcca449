import type { ArchiveSummary, EmulatorArchive } from './archive.js';
import type { EmulatorCore } from './core.js';
import type { Fault } from './faults.js';
import type { CallbackRecord } from './simulate.js';
import type {
  AppMessageRecord,
  Department,
  GroupChat,
  MediaRecord,
  MsgTemplateRecord,
  WebhookMessageRecord,
  WelcomeMessageRecord,
} from './types.js';
import {
  contactWayView,
  externalContactView,
  followUserView,
  repView,
  sortedTagGroups,
  tagGroupView,
} from './views.js';

export interface EmulatorSnapshot {
  corp: { corpId: string; corpName: string; agentId: number };
  /** Emulator clock, ms. */
  now: number;
  departments: Department[];
  reps: ReturnType<typeof repView>[];
  /** external_contact fields plus `follow_user` (same shapes as externalcontact/get). */
  customers: (ReturnType<typeof externalContactView> & { follow_user: ReturnType<typeof followUserView>[] })[];
  tagGroups: ReturnType<typeof tagGroupView>[];
  contactWays: (ReturnType<typeof contactWayView> & { create_time: number })[];
  groupChats: GroupChat[];
  welcomeMessages: WelcomeMessageRecord[];
  webhookMessages: WebhookMessageRecord[];
  appMessages: AppMessageRecord[];
  msgTemplates: MsgTemplateRecord[];
  media: MediaRecord[];
  callbacks: CallbackRecord[];
  faults: Fault[];
  /** The chat archive, without its secrets. */
  archive: ArchiveSummary;
}

/** Everything the emulator holds, in WeCom's shapes where one exists (GET /emulator/_state). */
export function buildSnapshot(core: EmulatorCore, archive: EmulatorArchive): EmulatorSnapshot {
  const d = core.data;
  return structuredClone({
    corp: { corpId: core.corp.corpId, corpName: core.corp.corpName, agentId: core.corp.agentId },
    now: core.clock.nowMs(),
    departments: d.departments,
    reps: d.reps.map((r) => repView(core, r)),
    customers: d.customers.map((c) => ({
      ...externalContactView(core, c),
      follow_user: c.follows.map((f) => followUserView(core, f)),
    })),
    tagGroups: sortedTagGroups(core).map((g) => tagGroupView(core, g)),
    contactWays: d.contactWays.map((w) => ({ ...contactWayView(core, w), create_time: w.create_time })),
    groupChats: d.groupChats,
    welcomeMessages: d.welcomeMessages,
    webhookMessages: d.webhookMessages,
    appMessages: d.appMessages,
    msgTemplates: d.msgTemplates,
    // The records, not the kept image bytes (GET /emulator/media/:mediaId serves those).
    media: d.media.map(({ data: _data, ...record }) => record),
    callbacks: core.callbacks,
    faults: core.faults.list(),
    archive: archive.summary(),
  });
}
