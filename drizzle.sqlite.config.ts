import { defineConfig } from 'drizzle-kit';

// npm run db:generate writes the next migration of each dialect from the one schema (server/db/schema/).
export default defineConfig({
  dialect: 'sqlite',
  schema: './server/db/sqlite-schema.ts',
  out: './migrations/sqlite',
});
