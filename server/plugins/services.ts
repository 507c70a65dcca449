import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createContactRepo } from '../modules/contacts/repo.js';
import { createContactService } from '../modules/contacts/service.js';
import { createDirectoryRepo } from '../modules/directory/repo.js';
import { createDirectoryService } from '../modules/directory/service.js';
import { createEventRepo } from '../modules/events/repo.js';
import { createEventService } from '../modules/events/service.js';
import { createJobRepo } from '../modules/jobs/repo.js';
import { createJobService } from '../modules/jobs/service.js';

/** Every repo and service, wired once; routes and the worker receive what they need from here. */
function wire(app: FastifyInstance) {
  const api = (corpId: string) => app.wecom.api(corpId);
  const eventRepo = createEventRepo(app.db);
  const jobRepo = createJobRepo(app.db);
  const jobs = createJobService({ repo: jobRepo });
  const directory = createDirectoryService({ repo: createDirectoryRepo(app.db), api });
  const contacts = createContactService({ db: app.db, repo: createContactRepo(app.db), directory, api });
  const events = createEventService({ contacts });
  return { eventRepo, jobRepo, jobs, directory, contacts, events };
}

export type Services = ReturnType<typeof wire>;

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
  }
}

export default fp(
  async (app) => {
    app.decorate('services', wire(app));
  },
  { name: 'services', dependencies: ['db', 'wecom'] },
);
