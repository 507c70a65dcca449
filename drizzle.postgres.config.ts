import { defineConfig } from 'drizzle-kit';

// npm run db:generate writes the next migration of each dialect from the one schema (server/db/schema/).
export default defineConfig({
  dialect: 'postgresql',
  schema: './server/db/pg-schema.ts',
  out: './migrations/postgres',
});
