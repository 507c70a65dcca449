import type { JsapiSigner } from '../wecom/jsapi.js';
import { createAlertsModule } from './alerts/index.js';
import { createArchiveModule } from './archive/index.js';
import type { EmulatorArchiveAccess } from './archive/sources.js';
import { createAuthModule } from './auth/index.js';
import { createAutomationsModule } from './automations/index.js';
import { createChannelsModule } from './channels/index.js';
import { createConsoleModules } from './console/index.js';
import { createConsoleScriptsModule } from './console-scripts/index.js';
import { createConsoleCustomersModule } from './console-customers/index.js';
import { createContactsModule } from './contacts/index.js';
import type { ModuleContext } from './context.js';
import type { CorpService } from './corps/service.js';
import { createCustomersModule } from './customers/index.js';
import { createDirectoryModule } from './directory/index.js';
import { createEventsModule } from './events/index.js';
import { createEventRepo } from './events/repo.js';
import { createIntegrationsModule } from './integrations/index.js';
import type { JobsModule } from './jobs/index.js';
import { createJsapiModule } from './jsapi/index.js';
import { createKeywordsModule } from './keywords/index.js';
import type { ModuleManifest } from './manifest.js';
import { createMediaModule } from './media/index.js';
import { createMessagesModule } from './messages/index.js';
import { createNotifyModule } from './notify/index.js';
import { createPrivacyModule } from './privacy/index.js';
import { createRetentionModule } from './retention/index.js';
import { createScriptsModule } from './scripts/index.js';
import { createStagesModule } from './stages/index.js';
import { createChatReader } from './suggest/chat.js';
import { createSuggestModule } from './suggest/index.js';
import { createTagsModule } from './tags/index.js';
import { createTasksModule } from './tasks/index.js';
import { createTimelineModule } from './timeline/index.js';
import { createWelcomeModule } from './welcome/index.js';
import { createWorkCalendarModule } from './work-calendar/index.js';

/**
 * The composition root: every domain module built once, in dependency order, each given the other modules'
 * services it names. What a module contributes to the app (routes, jobs, event hooks, cron) comes back in its
 * manifest, which buildApp registers without knowing the module.
 */
export function createModules(
  ctx: ModuleContext,
  deps: {
    corps: CorpService;
    signer: (corpId: string) => JsapiSigner;
    jobs: JobsModule;
    /** The emulator's chat archive (demo mode and tests): the stand-in Finance SDK reads it. */
    emulatorArchive?: () => EmulatorArchiveAccess | undefined;
  },
) {
  // Modules made later that earlier ones call back into (only once both exist): the directory tells the console
  // that reps changed, the welcome module reaches the channels module, the message store tells the dashboards of
  // messages stored for days already rolled up.
  const late: {
    consoleAuth?: ReturnType<typeof createConsoleModules>['consoleAuth'];
    channels?: ReturnType<typeof createChannelsModule>;
    dashboards?: ReturnType<typeof createConsoleModules>['dashboards'];
  } = {};
  const directory = createDirectoryModule(ctx, { changed: (corpId) => late.consoleAuth?.accounts.invalidate(corpId) });
  const contacts = createContactsModule(ctx, { directory: directory.service });
  const eventRepo = createEventRepo(ctx.db);
  const stages = createStagesModule(ctx);
  const workCalendar = createWorkCalendarModule(ctx);
  const media = createMediaModule(ctx);
  const timeline = createTimelineModule(ctx, { contacts: contacts.repo });
  const customers = createCustomersModule(ctx, {
    contacts: contacts.repo,
    stages: stages.service,
    timeline: timeline.repo,
  });
  const suggest = createSuggestModule(ctx, {
    requireFollower: customers.service.requireFollower,
    contacts: contacts.repo,
    directory: directory.service,
    chat: createChatReader(ctx.db),
  });
  const keywords = createKeywordsModule(ctx);
  const messages = createMessagesModule(ctx, {
    contacts: contacts.repo,
    keywords: keywords.service,
    onStored: async (ex, corpId, stored) => {
      await suggest.onMessagesStored(ex, corpId, stored);
      await late.dashboards!.jobs.messagesStoredLate(
        ex,
        corpId,
        stored.map((s) => s.message.sentAt),
      );
    },
  });
  const scripts = createScriptsModule(ctx, {
    customers: customers.service,
    timeline: timeline.repo,
    media: media.service,
    suggest: suggest.service,
    messages: messages.service,
    names: {
      customer: async (corpId, externalUserId) =>
        (await contacts.repo.findContact(ctx.db, corpId, externalUserId))?.name ?? '',
      rep: async (corpId, userId) => (await directory.service.findRep(corpId, userId))?.name ?? '',
    },
  });
  const auth = createAuthModule(ctx, { directory: directory.service, corps: deps.corps });
  const jsapi = createJsapiModule(ctx, { signer: deps.signer });
  const tags = createTagsModule(ctx, { timeline: timeline.repo });
  // Welcome messages need the channel's reps and channels need welcome messages (see `late` above).
  const welcome = createWelcomeModule(ctx, {
    reps: directory.service,
    contacts: contacts.repo,
    media: media.service,
    timeline: timeline.repo,
    channelReps: (corpId, channelId) => late.channels!.service.repsOf(corpId, channelId),
  });
  const channels = createChannelsModule(ctx, {
    tags: tags.service,
    markTagJob: tags.markTagJob,
    welcome: welcome.service,
    sendWelcomeJob: welcome.sendWelcomeJob,
    reps: directory.service,
    events: eventRepo,
    follows: contacts.repo,
    timeline: timeline.repo,
  });
  late.channels = channels;
  const alerts = createAlertsModule(ctx, { timeline: timeline.repo, contacts: contacts.repo, channels: channels.repo });
  const archive = createArchiveModule(ctx, { messages, emulator: deps.emulatorArchive ?? (() => undefined) });
  const privacy = createPrivacyModule(ctx, { media: messages.mediaStore, suggest: suggest.service });
  // The manager console (its hooks run after the channels' intake, so an add's channel is known).
  const consoleModules = createConsoleModules(ctx, {
    oauthStates: auth.sessions,
    directory: directory.service,
    corps: deps.corps,
    contacts: contacts.repo,
    workCalendar: workCalendar.service,
  });
  late.dashboards = consoleModules.dashboards;
  late.consoleAuth = consoleModules.consoleAuth;
  const consoleScripts = createConsoleScriptsModule(ctx, {
    audit: consoleModules.audit.service,
    suggest: suggest.service,
  });
  // Automations and notifications: group robots and app messages, the rules, the reps' tasks, integrations. Orders
  // from integrations reach the rules through a function (the automations read the integrations' webhook feed).
  const notify = createNotifyModule(ctx, {
    box: deps.corps.secretBox,
    agentId: (corpId) => deps.corps.find(corpId)?.agentId ?? 0,
  });
  const tasks = createTasksModule(ctx);
  const automationsRef: { current?: ReturnType<typeof createAutomationsModule> } = {};
  const integrations = createIntegrationsModule(ctx, {
    box: deps.corps.secretBox,
    hooks: () => automationsRef.current!.service.hooks(),
  });
  const automations = createAutomationsModule(ctx, {
    notify: notify.service,
    tasks: tasks.repo,
    workCalendar: workCalendar.service,
    integrations: () => integrations.service,
    contacts: contacts.repo,
    tags: tags.service,
    timeline: timeline.repo,
  });
  automationsRef.current = automations;

  const withManifests = [
    contacts,
    stages,
    workCalendar,
    media,
    timeline,
    customers,
    scripts,
    suggest,
    auth,
    jsapi,
    tags,
    welcome,
    channels,
    alerts,
    keywords,
    messages,
    archive,
    privacy,
    ...consoleModules.parts,
    consoleScripts,
    createConsoleCustomersModule(ctx, {
      accounts: consoleModules.consoleAuth.accounts,
      settings: consoleModules.consoleAuth.settings,
      timeline: timeline.repo,
      stages: stages.service,
      audit: consoleModules.audit.service,
    }),
    notify,
    tasks,
    integrations,
    automations,
  ];
  const events = createEventsModule(ctx, {
    repo: eventRepo,
    contacts: contacts.service,
    hooks: withManifests.flatMap((m) => (m.manifest.hooks ? [m.manifest.hooks] : [])),
  });
  const retention = createRetentionModule(ctx, { events: eventRepo, jobs: deps.jobs.repo });
  const manifests: ModuleManifest[] = [...withManifests.map((m) => m.manifest), retention.manifest];

  return {
    manifests,
    jobs: deps.jobs,
    workCalendar,
    directory,
    contacts,
    events,
    stages,
    media,
    timeline,
    customers,
    scripts,
    suggest,
    auth,
    jsapi,
    tags,
    welcome,
    channels,
    alerts,
    keywords,
    messages,
    archive,
    privacy,
    retention,
    notify,
    tasks,
    integrations,
    automations,
    consoleScripts,
    ...consoleModules,
  };
}
export type Modules = ReturnType<typeof createModules>;
