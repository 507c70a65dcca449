import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The committed migrations are what drizzle-kit generates from the schema: a schema change without its migration
 * (for either dialect) fails here instead of on someone's database.
 */
describe('committed migrations match the schema', () => {
  for (const [dialect, folder, schema] of [
    ['sqlite', 'migrations/sqlite', 'server/db/sqlite-schema.ts'],
    ['postgresql', 'migrations/postgres', 'server/db/pg-schema.ts'],
  ] as const) {
    it(`${dialect}: drizzle-kit finds nothing to generate`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'scrm-drift-'));
      cpSync(folder, join(dir, 'out'), { recursive: true });
      const config = join(dir, 'drizzle.config.ts');
      writeFileSync(config, `export default ${JSON.stringify({ dialect, schema: resolve(schema), out: './out' })};\n`);
      const before = readdirSync(join(dir, 'out')).length;
      // drizzle-kit takes `out` relative to where it runs.
      const output = execFileSync(resolve('node_modules/.bin/drizzle-kit'), ['generate', '--config', config], {
        encoding: 'utf8',
        cwd: dir,
      });
      expect(output).toContain('No schema changes');
      expect(readdirSync(join(dir, 'out'))).toHaveLength(before);
    }, 60_000);
  }
});
