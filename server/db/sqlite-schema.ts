import { sqliteKit } from './kit.js';
import { defineSchema } from './schema/index.js';

/**
 * The SQLite tables, one export each: drizzle-kit reads this file to generate migrations/sqlite/, and
 * the data layer uses the same objects at run time. test/unit/db/schema-parity.test.ts checks that nothing is missing.
 */
export const {
  corps,
  departments,
  reps,
  contacts,
  follows,
  tagGroups,
  tags,
  followTags,
  events,
  jobs,
  channels,
  channelReps,
  welcomeMessages,
  repDailyAdds,
  channelMovements,
  mediaUploads,
  timelineItems,
  alerts,
  stages,
  sessions,
  oauthStates,
  scriptGroups,
  scripts,
  scriptFavorites,
  scriptSends,
  workCalendars,
  suggestVersions,
  learnedPairs,
  suggestScriptChanges,
  suggestionFeedback,
} = defineSchema(sqliteKit);
