import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createContactRepo } from '../modules/contacts/repo.js';
import { createContactService } from '../modules/contacts/service.js';
import { createDirectoryRepo } from '../modules/directory/repo.js';
import { createDirectoryService } from '../modules/directory/service.js';
import { createEventRepo } from '../modules/events/repo.js';
import { createEventService } from '../modules/events/service.js';
import { createJobRepo } from '../modules/jobs/repo.js';
import { createTimelineRepo } from '../modules/timeline/repo.js';
import { createJobService } from '../modules/jobs/service.js';

/** Every repo and service, wired once; routes and the worker receive what they need from here. */
function wire(app: FastifyInstance, now: () => number) {
  const api = (corpId: string) => app.wecom.api(corpId);
  const eventRepo = createEventRepo(app.db);
  const jobRepo = createJobRepo(app.db);
  const timeline = createTimelineRepo(app.db);
  const jobs = createJobService({ repo: jobRepo, now });
  const directory = createDirectoryService({ repo: createDirectoryRepo(app.db), api });
  const contacts = createContactService({ db: app.db, repo: createContactRepo(app.db), directory, api, now });
  const events = createEventService({ contacts });
  return { eventRepo, jobRepo, jobs, timeline, directory, contacts, events };
}

export type Services = ReturnType<typeof wire>;

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
  }
}

export default fp(
  async (app, opts: { now: () => number }) => {
    app.decorate('services', wire(app, opts.now));
  },
  { name: 'services', dependencies: ['db', 'wecom'] },
);
