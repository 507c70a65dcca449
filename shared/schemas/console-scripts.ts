import { Type, type Static } from 'typebox';
import { InputObject } from './common.js';

/**
 * Script library import and export (admins and managers). The CSV has one script per row, UTF-8 (a BOM is fine,
 * Excel's GBK is not), with these headers (Chinese or English, any order; unknown columns are an error):
 *
 * | 分组 group | 标题 title | 类型 kind | 内容 content | 链接 url | 卡片标题 linkTitle | 卡片描述 linkDesc | 封面图 imgUrl | 排序 order |
 *
 * 类型 is 文本 / 图片 / 链接 (or text / image / link). Text needs 内容; an image needs 链接 (a PNG/JPG address); a
 * link needs 链接 (http/https) and may have a card title, description and cover. A row whose group and title match a
 * live script updates it; otherwise it creates one (and its group when new). Group names and titles within a group
 * are unique, so a file naming the same group and title twice is an error. `GET /api/console/scripts/export.csv`
 * writes the same format (round trip).
 */

export const SCRIPT_CSV_COLUMNS = [
  ['group', '分组'],
  ['title', '标题'],
  ['kind', '类型'],
  ['content', '内容'],
  ['url', '链接'],
  ['linkTitle', '卡片标题'],
  ['linkDesc', '卡片描述'],
  ['imgUrl', '封面图'],
  ['order', '排序'],
] as const;

/** At most this many rows per file. */
export const MAX_SCRIPT_IMPORT_ROWS = 5000;

/** `POST /api/console/scripts/import/preview`: checks the file, writes nothing. */
export const ScriptImportPreviewBody = InputObject({
  /** The CSV text (≤ 2 MB). */
  csv: Type.String({ minLength: 1, maxLength: 2_000_000 }),
});
export type ScriptImportPreviewBody = Static<typeof ScriptImportPreviewBody>;

export const ScriptImportRow = Type.Object({
  /** The row's line in the file (the header is line 1). */
  line: Type.Integer(),
  group: Type.String(),
  title: Type.String(),
  kind: Type.String(),
  /** What confirming would do; null when the row has errors. */
  action: Type.Union([Type.Literal('create'), Type.Literal('update'), Type.Null()]),
  /** The id of the script an update changes. */
  scriptId: Type.Union([Type.Integer(), Type.Null()]),
  errors: Type.Array(Type.Object({ column: Type.String(), message: Type.String() })),
});
export type ScriptImportRow = Static<typeof ScriptImportRow>;

export const ScriptImportPreview = Type.Object({
  /** Pass back to confirm: it proves the confirmed file is the previewed one. */
  checksum: Type.String(),
  total: Type.Integer(),
  creates: Type.Integer(),
  updates: Type.Integer(),
  invalid: Type.Integer(),
  /** Groups confirming would create. */
  newGroups: Type.Array(Type.String()),
  /** Problems with the file itself (headers, encoding); rows are then not checked. */
  fileErrors: Type.Array(Type.String()),
  rows: Type.Array(ScriptImportRow),
});
export type ScriptImportPreview = Static<typeof ScriptImportPreview>;

/**
 * `POST /api/console/scripts/import` → 200 ScriptImportResult: writes every row in one transaction. 409 when the file
 * is not the previewed one (checksum) or the library changed so that the preview no longer holds; 400 with the
 * preview when a row has errors (nothing written).
 */
export const ScriptImportBody = InputObject({
  csv: Type.String({ minLength: 1, maxLength: 2_000_000 }),
  checksum: Type.String({ minLength: 1, maxLength: 128 }),
});
export type ScriptImportBody = Static<typeof ScriptImportBody>;

export const ScriptImportResult = Type.Object({
  created: Type.Integer(),
  updated: Type.Integer(),
  groupsCreated: Type.Integer(),
});
export type ScriptImportResult = Static<typeof ScriptImportResult>;
