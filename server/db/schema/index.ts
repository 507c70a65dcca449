import type { Kit } from '../kit.js';
import { automationTables } from './automations.js';
import { channelTables } from './channels.js';
import { contactTables } from './contacts.js';
import { consoleTables } from './console.js';
import { coreTables } from './core.js';
import { messageTables } from './messages.js';
import { queueTables } from './queue.js';
import { settingsTables } from './settings.js';
import { sidebarTables } from './sidebar.js';
import { statsTables } from './stats.js';
import { suggestTables } from './suggest.js';

/** Every table, written once with a dialect's kit (server/db/kit.ts). */
export function defineSchema(k: Kit) {
  const core = coreTables(k);
  return {
    ...core,
    ...contactTables(k, core),
    ...queueTables(k, core),
    ...channelTables(k, core),
    ...sidebarTables(k),
    ...settingsTables(k, core),
    ...messageTables(k),
    ...automationTables(k),
    ...suggestTables(k),
    ...consoleTables(k, core),
    ...statsTables(k),
  };
}
export type Tables = ReturnType<typeof defineSchema>;
