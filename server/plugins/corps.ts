import fp from 'fastify-plugin';
import { createSecretBox, loadSecretKey } from '../db/secret-box.js';
import { createCorpRepo } from '../modules/corps/repo.js';
import { createCorpService, type Corp, type CorpService } from '../modules/corps/service.js';

declare module 'fastify' {
  interface FastifyInstance {
    corps: CorpService;
    /** The corp configured by the environment (or the demo corp). */
    defaultCorp: Corp;
  }
}

/** Registers the configured corp (secrets sealed at rest) and serves corp lookups. */
export default fp(
  async (app, opts: { corp: Corp; dataDir: string; secretKey: string | null }) => {
    const box = createSecretBox(loadSecretKey(opts.dataDir, opts.secretKey));
    const corps = createCorpService({ db: app.db, repo: createCorpRepo(app.db), box });
    await corps.load();
    await corps.register(opts.corp);
    app.decorate('corps', corps);
    app.decorate('defaultCorp', opts.corp);
  },
  { name: 'corps', dependencies: ['db'] },
);
