import { CsvError, parse } from 'csv-parse/sync';
import { SCRIPT_CSV_COLUMNS } from '../../../shared/schemas/console-scripts.js';

export type ScriptCsvColumn = (typeof SCRIPT_CSV_COLUMNS)[number][0];

/** The Chinese name of each column (what errors and the export's header say). */
export const COLUMN_LABELS = Object.fromEntries(SCRIPT_CSV_COLUMNS.map(([key, label]) => [key, label])) as Record<
  ScriptCsvColumn,
  string
>;

/** Columns a file must have; the others may be left out (read as empty). */
const REQUIRED: ScriptCsvColumn[] = ['group', 'title', 'kind'];

/** One data row of the file: the line it starts on (the header is line 1) and its cells by column. */
export interface CsvRow {
  line: number;
  cells: Partial<Record<ScriptCsvColumn, string>>;
  /** More cells than the header has columns. */
  extraCells: number;
}

export interface ParsedCsv {
  fileErrors: string[];
  rows: CsvRow[];
}

/** A header cell → its column: the Chinese or the English name (any case), surrounding spaces ignored. */
function columnOf(header: string): ScriptCsvColumn | undefined {
  const name = header.trim();
  const found = SCRIPT_CSV_COLUMNS.find(([key, label]) => label === name || key.toLowerCase() === name.toLowerCase());
  return found?.[0];
}

const FORMULA_START = /^[=+\-@\t\r]/;
const ESCAPED = /^'['=+\-@\t\r]/;

/**
 * A cell as written to the export: a value a spreadsheet would run as a formula (=, +, -, @ first) gets a leading
 * quote, and so does a value that already starts with a quote before one of those (so reading it back is exact).
 */
export function escapeCell(value: string): string {
  return FORMULA_START.test(value) || ESCAPED.test(value) ? `'${value}` : value;
}

/** The inverse of escapeCell: the quote the export put before a formula character (or a quote) is dropped. */
export function unescapeCell(value: string): string {
  return ESCAPED.test(value) ? value.slice(1) : value;
}

/**
 * Reads the import file: a header row naming known columns (Chinese or English, any order, each once, the required
 * ones present), then one script per row. Blank lines are skipped; a quoted cell may span lines, and a row's line
 * is the one it starts on. Problems with the file itself come back as `fileErrors` (rows are then not given).
 */
export function parseScriptCsv(csv: string, maxRows: number): ParsedCsv {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(csv, {
      bom: true,
      relax_column_count: true,
      info: true,
      skip_empty_lines: false,
    }) as unknown as typeof records;
  } catch (err) {
    if (err instanceof CsvError) {
      const line = (err as CsvError & { lines?: number }).lines;
      const where = line ? `第 ${line} 行附近：` : '';
      const reason =
        err.code === 'CSV_QUOTE_NOT_CLOSED'
          ? '引号未闭合（含逗号或换行的内容须用英文双引号括起来）'
          : err.code === 'CSV_INVALID_CLOSING_QUOTE' || err.code === 'INVALID_OPENING_QUOTE'
            ? '引号位置不正确（内容中的双引号须写成两个双引号 ""）'
            : '无法按 CSV 格式读取';
      return { fileErrors: [`${where}${reason}`], rows: [] };
    }
    throw err;
  }

  // A record ends on `info.lines`; the next one starts on the line after.
  const withLines: { line: number; record: string[] }[] = [];
  let nextLine = 1;
  for (const { record, info } of records) {
    const line = nextLine;
    nextLine = info.lines + 1;
    if (record.every((cell) => cell.trim() === '')) continue;
    withLines.push({ line, record });
  }
  const [header, ...data] = withLines;
  if (!header) return { fileErrors: ['文件是空的：第一行应为表头（分组、标题、类型……）'], rows: [] };

  const fileErrors: string[] = [];
  const columns: ScriptCsvColumn[] = [];
  const seen = new Set<ScriptCsvColumn>();
  header.record.forEach((cell, i) => {
    const column = columnOf(cell);
    if (!column) {
      fileErrors.push(
        cell.trim()
          ? `表头第 ${i + 1} 列「${cell.trim()}」不是可导入的列（可用：${SCRIPT_CSV_COLUMNS.map((c) => c[1]).join('、')}）`
          : `表头第 ${i + 1} 列为空`,
      );
    } else if (seen.has(column)) {
      fileErrors.push(`表头中「${COLUMN_LABELS[column]}」列出现了两次`);
    } else {
      seen.add(column);
    }
    columns.push(column as ScriptCsvColumn);
  });
  for (const column of REQUIRED) {
    if (!seen.has(column)) fileErrors.push(`表头缺少「${COLUMN_LABELS[column]}」列`);
  }
  if (fileErrors.length === 0 && data.length === 0) fileErrors.push('文件中没有话术：表头下面至少要有一行');
  if (data.length > maxRows) fileErrors.push(`一次最多导入 ${maxRows} 行，此文件有 ${data.length} 行`);
  if (fileErrors.length > 0) return { fileErrors, rows: [] };

  const rows = data.map(({ line, record }): CsvRow => {
    const cells: CsvRow['cells'] = {};
    columns.forEach((column, i) => {
      cells[column] = unescapeCell(record[i] ?? '');
    });
    const extraCells = record.slice(columns.length).filter((cell) => cell.trim() !== '').length;
    return { line, cells, extraCells };
  });
  return { fileErrors: [], rows };
}
