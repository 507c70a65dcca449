import { startCluster } from '../../scripts/pg-cluster.js';
import { openPostgres } from '../../server/db/postgres.js';

/** Every test database is a copy of this one, made once with the migrations applied. */
export const TEMPLATE_DATABASE = 'scrm_template';

/**
 * Vitest global setup of `npm run test:pg`: one throwaway PostgreSQL cluster for the run (Debian's postgresql, on a
 * free loopback port, removed at the end). Each test app gets a database of its own on it, a copy of a migrated
 * template (test/support/database.ts).
 */
export default async function setup(): Promise<() => void> {
  const cluster = await startCluster({ fast: true });
  const template = await openPostgres(await cluster.createDatabase(TEMPLATE_DATABASE));
  await template.close();
  process.env.TEST_PG_URL = cluster.url;
  return () => cluster.stop();
}
