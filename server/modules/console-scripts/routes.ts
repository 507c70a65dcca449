import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ErrorBody } from '../../../shared/schemas/common.js';
import {
  SCRIPT_CSV_COLUMNS,
  ScriptImportBody,
  ScriptImportPreview,
  ScriptImportPreviewBody,
  ScriptImportResult,
} from '../../../shared/schemas/console-scripts.js';
import { csvStream, onePage, sendCsv, type CsvColumn } from '../csv-export.js';
import { escapeCell, type ScriptCsvColumn } from './csv.js';
import type { ConsoleScriptService } from './service.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody };
/** A refused import answers with the preview that shows which rows are wrong. */
const ImportRefused = Type.Object({ ...ErrorBody.properties, preview: Type.Optional(ScriptImportPreview) });
/** The CSV text travels in JSON: up to 2,000,000 characters, up to 3 bytes each in UTF-8, plus escapes. */
const IMPORT_BODY_LIMIT = 8 * 1024 * 1024;

type ExportRow = Record<ScriptCsvColumn, string | number>;
const EXPORT_COLUMNS: CsvColumn<ExportRow>[] = SCRIPT_CSV_COLUMNS.map(([key, header]) => ({
  header,
  value: (row) => {
    const value = row[key];
    return typeof value === 'string' ? escapeCell(value) : value;
  },
}));

/** The script library's CSV import (preview, then confirm) and export: console admins (or the admin token). */
export const consoleScriptRoutes: FastifyPluginAsyncTypebox<{ service: ConsoleScriptService }> = async (
  app,
  { service },
) => {
  app.post(
    '/api/console/scripts/import/preview',
    {
      onRequest: app.requireConsoleAdmin,
      bodyLimit: IMPORT_BODY_LIMIT,
      schema: { body: ScriptImportPreviewBody, response: { 200: ScriptImportPreview, ...errors } },
    },
    async (request) => {
      const preview = await service.preview(request.consoleActor().corpId, request.body.csv);
      // A preview changes nothing: there is no change for the route-level audit record to describe.
      request.audited = true;
      return preview;
    },
  );

  app.post(
    '/api/console/scripts/import',
    {
      onRequest: app.requireConsoleAdmin,
      bodyLimit: IMPORT_BODY_LIMIT,
      schema: {
        body: ScriptImportBody,
        response: { 200: ScriptImportResult, ...errors, 400: ImportRefused, 409: ErrorBody },
      },
    },
    async (request) => {
      const result = await service.import(request.auditContext(), request.body.csv, request.body.checksum);
      // The service recorded the import in its transaction.
      request.audited = true;
      return result;
    },
  );

  app.get(
    '/api/console/scripts/export.csv',
    { onRequest: app.requireConsoleAdmin, schema: { response: { 200: Type.String(), ...errors } } },
    async (request, reply) => {
      const rows = await service.exportRows(request.consoleActor().corpId);
      return sendCsv(reply, '话术库.csv', csvStream(EXPORT_COLUMNS, onePage(rows)));
    },
  );
};
