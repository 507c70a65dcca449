import type { DatabaseConfig } from '../config.js';
import type { Database } from './database.js';
import { openPostgres } from './postgres.js';
import { openSqlite } from './sqlite.js';

/** Opens the configured backend with its migrations applied. */
export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  return config.backend === 'postgres' ? openPostgres(config.url) : openSqlite(config.path);
}
