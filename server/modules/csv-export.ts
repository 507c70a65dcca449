import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { FastifyReply } from 'fastify';

/** One column of an export: its Chinese header and how to read it from a row. */
export interface CsvColumn<T> {
  header: string;
  value: (row: T) => string | number | boolean | null | undefined;
}

/**
 * Streams rows as CSV, a page at a time: `pages` is pulled only as fast as the client reads (Readable.from honours
 * backpressure), so memory stays flat whatever the number of rows. UTF-8 with a BOM (Excel opens it as UTF-8).
 * Cells that a spreadsheet would run as a formula (=, +, -, @ first) are prefixed with a quote.
 */
export function csvStream<T>(columns: CsvColumn<T>[], pages: AsyncIterable<T[]> | Iterable<T[]>): Readable {
  async function* records() {
    for await (const page of pages) {
      for (const row of page) yield columns.map((c) => cell(c.value(row)));
    }
  }
  const csv = stringify({ bom: true, header: true, columns: columns.map((c) => c.header) });
  const source = Readable.from(records());
  source.on('error', (err) => csv.destroy(err));
  return source.pipe(csv);
}

function cell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** Sends a CSV stream as a download named `filename` (UTF-8 name for browsers, an ASCII fallback for the rest). */
export function sendCsv(reply: FastifyReply, filename: string, stream: Readable): FastifyReply {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/"/g, '');
  return reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`)
    .header('cache-control', 'no-store')
    .send(stream);
}

/** Rows of a whole (small) table as one page. */
export const onePage = <T>(rows: T[]): T[][] => [rows];
