import { createHash } from 'node:crypto';
import {
  MAX_SCRIPT_IMPORT_ROWS,
  type ScriptImportPreview,
  type ScriptImportResult,
  type ScriptImportRow,
} from '../../../shared/schemas/console-scripts.js';
import { ScriptBody, ScriptGroupBody, ScriptPayload } from '../../../shared/schemas/scripts.js';
import type { Database, Executor } from '../../db/database.js';
import { AppError, BadRequestError, ConflictError } from '../../errors.js';
import type { AuditService } from '../audit/service.js';
import type { AuditContext } from '../console-auth/actor.js';
import type { NewScript, ScriptKind, ScriptRepo, ScriptRow } from '../scripts/repo.js';
import { normalizeScript } from '../scripts/script-input.js';
import type { ScriptHooks } from '../suggest/service.js';
import { COLUMN_LABELS, parseScriptCsv, type CsvRow, type ScriptCsvColumn } from './csv.js';
import type { ConsoleScriptRepo, Library } from './repo.js';

const KINDS: Record<string, ScriptKind> = {
  文本: 'text',
  图片: 'image',
  链接: 'link',
  text: 'text',
  image: 'image',
  link: 'link',
};
const KIND_LABELS: Record<ScriptKind, string> = { text: '文本', image: '图片', link: '链接' };

const maxLength = (schema: unknown) => (schema as { maxLength: number }).maxLength;
/** The admin API's limits, read from its schemas so both stay the same. */
const LIMITS: Partial<Record<ScriptCsvColumn, number>> = {
  group: maxLength(ScriptGroupBody.properties.name),
  title: maxLength(ScriptBody.properties.title),
  content: maxLength(ScriptBody.properties.content),
  url: maxLength(ScriptPayload.properties.url),
  linkTitle: maxLength(ScriptPayload.properties.title),
  linkDesc: maxLength(ScriptPayload.properties.desc),
  imgUrl: maxLength(ScriptPayload.properties.imgUrl),
};
const ORDER = ScriptBody.properties.order as unknown as { minimum: number; maximum: number };

/** Columns only some kinds use: a value there for another kind would be dropped, so it is an error instead. */
const USED_BY: Partial<Record<ScriptCsvColumn, ScriptKind[]>> = {
  url: ['image', 'link'],
  linkTitle: ['link'],
  linkDesc: ['link'],
  imgUrl: ['link'],
};

/** normalizeScript's field → the CSV column. */
const FIELD_COLUMNS: Record<string, ScriptCsvColumn> = {
  title: 'title',
  content: 'content',
  'payload.url': 'url',
  'payload.title': 'linkTitle',
  'payload.desc': 'linkDesc',
  'payload.imgUrl': 'imgUrl',
};

/** What confirming the preview does, row by row (only when no row has errors). */
interface PlannedRow {
  group: string;
  script: Omit<NewScript, 'groupId'>;
  before: { script: ScriptRow; groupName: string } | null;
}

interface Plan {
  preview: ScriptImportPreview;
  rows: PlannedRow[];
}

const keyOf = (group: string, title: string) => `${group}\u0000${title}`;

/**
 * The script library's CSV import and export (the console's admins). A preview reads the file against the library
 * and writes nothing; its checksum covers the file and what each row would do, so confirming imports exactly what
 * was previewed (409 otherwise) — re-checked inside the transaction that writes every row.
 */
export function createConsoleScriptService(deps: {
  db: Database;
  repo: ConsoleScriptRepo;
  scripts: Pick<ScriptRepo, 'insert' | 'update' | 'insertGroup'>;
  audit: Pick<AuditService, 'record'>;
  /** The suggestion engine, told of every script created or changed, in the same transaction. */
  hooks?: Pick<ScriptHooks, 'changed'>;
  now: () => number;
}) {
  const { db, repo } = deps;

  function checkRow(row: CsvRow, seen: Map<string, number>) {
    const errors: ScriptImportRow['errors'] = [];
    const fail = (column: ScriptCsvColumn | '整行', message: string) => {
      const label = column === '整行' ? '' : `「${COLUMN_LABELS[column]}」`;
      errors.push({ column, message: `第 ${row.line} 行${label}：${message}` });
    };
    const cell = (column: ScriptCsvColumn) => (row.cells[column] ?? '').trim();
    if (row.extraCells > 0) fail('整行', `比表头多出 ${row.extraCells} 个单元格（含逗号的内容须用英文双引号括起来）`);

    for (const [column, limit] of Object.entries(LIMITS) as [ScriptCsvColumn, number][]) {
      const length = [...cell(column)].length;
      if (length > limit) fail(column, `最多 ${limit} 个字，现为 ${length} 个字`);
    }
    const group = cell('group');
    const title = cell('title');
    if (!group) fail('group', '分组不能为空');

    const kindText = cell('kind');
    const kind = KINDS[kindText] ?? KINDS[kindText.toLowerCase()];
    if (!kindText) fail('kind', '类型不能为空（文本、图片或链接）');
    else if (!kind) fail('kind', `类型「${kindText}」无效，应为文本、图片或链接`);

    let order = 0;
    const orderText = cell('order');
    if (orderText) {
      order = Number(orderText);
      if (!/^\d+$/.test(orderText) || order < ORDER.minimum || order > ORDER.maximum) {
        fail('order', `排序须为 ${ORDER.minimum} 到 ${ORDER.maximum} 之间的整数`);
      }
    }

    let script: PlannedRow['script'] | null = null;
    if (kind) {
      for (const [column, kinds] of Object.entries(USED_BY) as [ScriptCsvColumn, ScriptKind[]][]) {
        if (cell(column) && !kinds.includes(kind)) fail(column, `${KIND_LABELS[kind]}话术不使用此列，请留空`);
      }
      try {
        // The admin API's own check (normalizeScript): the same rules, the same messages.
        const normalized = normalizeScript({
          groupId: 0,
          title,
          kind,
          content: cell('content'),
          payload:
            kind === 'text'
              ? {}
              : {
                  url: cell('url'),
                  title: cell('linkTitle') || undefined,
                  desc: cell('linkDesc'),
                  imgUrl: cell('imgUrl'),
                },
          order,
        });
        script = {
          title: normalized.title,
          kind: normalized.kind,
          content: normalized.content,
          payload: normalized.payload,
          order: normalized.order,
        };
      } catch (err) {
        if (!(err instanceof BadRequestError)) throw err;
        const field = typeof err.details?.field === 'string' ? err.details.field : '';
        fail(FIELD_COLUMNS[field] ?? 'title', err.message);
      }
    } else if (!title) {
      fail('title', '标题不能为空');
    }

    if (group && title) {
      const key = keyOf(group, title);
      const first = seen.get(key);
      if (first !== undefined) fail('title', `分组「${group}」中的标题「${title}」与第 ${first} 行重复`);
      else seen.set(key, row.line);
    }
    return { group, title, kindText, errors, script };
  }

  /** Reads the file against the library: what each row would do, its errors, and the checksum of both. */
  function plan(csv: string, library: Library): Plan {
    const parsed = parseScriptCsv(csv, MAX_SCRIPT_IMPORT_ROWS);
    const groupNames = new Set(library.groups.map((g) => g.name));
    // The first live script of each group and title (the library's display order) is the one a row updates.
    const existing = new Map<string, Library['scripts'][number]>();
    for (const live of library.scripts) {
      const key = keyOf(live.groupName, live.script.title);
      if (!existing.has(key)) existing.set(key, live);
    }

    const seen = new Map<string, number>();
    const newGroups: string[] = [];
    const planned: PlannedRow[] = [];
    const rows: ScriptImportRow[] = parsed.rows.map((row) => {
      const checked = checkRow(row, seen);
      const before = existing.get(keyOf(checked.group, checked.title)) ?? null;
      const valid = checked.errors.length === 0 && checked.script !== null;
      if (valid) {
        planned.push({ group: checked.group, script: checked.script!, before });
        if (!groupNames.has(checked.group) && !newGroups.includes(checked.group)) newGroups.push(checked.group);
      }
      return {
        line: row.line,
        group: checked.group,
        title: checked.title,
        kind: checked.kindText,
        action: valid ? (before ? 'update' : 'create') : null,
        scriptId: valid && before ? before.script.id : null,
        errors: checked.errors,
      };
    });

    const invalid = rows.filter((r) => r.errors.length > 0).length;
    const checksum = createHash('sha256')
      .update(
        JSON.stringify({
          csv,
          rows: rows.map((r) => [r.line, r.action, r.scriptId]),
          newGroups,
          fileErrors: parsed.fileErrors,
        }),
      )
      .digest('hex');
    return {
      preview: {
        checksum,
        total: rows.length,
        creates: rows.filter((r) => r.action === 'create').length,
        updates: rows.filter((r) => r.action === 'update').length,
        invalid,
        newGroups,
        fileErrors: parsed.fileErrors,
        rows,
      },
      rows: planned,
    };
  }

  async function write(ex: Executor, corpId: string, rows: PlannedRow[], newGroups: string[]) {
    const groupIds = new Map<string, number>();
    const library = await repo.library(ex, corpId);
    for (const g of library.groups) if (!groupIds.has(g.name)) groupIds.set(g.name, g.id);
    let nextOrder = Math.max(-1, ...library.groups.map((g) => g.order)) + 1;
    for (const name of newGroups) {
      groupIds.set(name, await deps.scripts.insertGroup(ex, corpId, { name, order: nextOrder++ }));
    }
    const at = deps.now();
    let created = 0;
    let updated = 0;
    for (const row of rows) {
      const script: NewScript = { ...row.script, groupId: groupIds.get(row.group)! };
      if (row.before) {
        await deps.scripts.update(ex, corpId, row.before.script.id, script, at);
        await deps.hooks?.changed(ex, corpId, row.before.script.id, row.before);
        updated++;
      } else {
        const id = await deps.scripts.insert(ex, corpId, script);
        await deps.hooks?.changed(ex, corpId, id, null);
        created++;
      }
    }
    return { created, updated, groupsCreated: newGroups.length };
  }

  return {
    /** What importing the file would do; nothing is written. */
    async preview(corpId: string, csv: string): Promise<ScriptImportPreview> {
      return plan(csv, await repo.library(db, corpId)).preview;
    },

    /**
     * Imports the previewed file in one transaction: 409 when the file or the library's bearing on it changed since
     * the preview (the checksum differs), 400 with the preview when a row has errors; the import is audited.
     */
    async import(ctx: AuditContext, csv: string, checksum: string): Promise<ScriptImportResult> {
      const corpId = ctx.actor.corpId;
      return db.tx(async (tx) => {
        const { preview, rows } = plan(csv, await repo.library(tx, corpId));
        if (preview.checksum !== checksum) {
          throw new ConflictError('文件或话术库在预览之后发生了变化，请重新预览后再确认导入');
        }
        if (preview.fileErrors.length > 0 || preview.invalid > 0) {
          throw new AppError(400, 'bad_request', `有 ${preview.invalid} 行有错误，未导入任何话术`, { preview });
        }
        const result = await write(tx, corpId, rows, preview.newGroups);
        await deps.audit.record(tx, ctx, {
          action: 'script.import',
          targetType: 'script',
          summary: `导入话术：新建 ${result.created} 条，更新 ${result.updated} 条，新建分组 ${result.groupsCreated} 个`,
          detail: { ...result, rows: preview.total, newGroups: preview.newGroups, checksum },
        });
        return result;
      });
    },

    /** The live library, one row per script, in the import's columns (display order). */
    async exportRows(corpId: string): Promise<Record<ScriptCsvColumn, string | number>[]> {
      const library = await repo.library(db, corpId);
      return library.scripts.map(({ script, groupName }) => {
        const p = script.payload as Record<string, unknown>;
        const text = (key: string) => (typeof p[key] === 'string' ? (p[key] as string) : '');
        return {
          group: groupName,
          title: script.title,
          kind: KIND_LABELS[script.kind],
          content: script.content,
          url: script.kind === 'text' ? '' : text('url'),
          linkTitle: script.kind === 'link' ? text('title') : '',
          linkDesc: script.kind === 'link' ? text('desc') : '',
          imgUrl: script.kind === 'link' ? text('imgUrl') : '',
          order: script.order,
        };
      });
    },
  };
}
export type ConsoleScriptService = ReturnType<typeof createConsoleScriptService>;
