import type { FastifyInstance } from 'fastify';
import type { EmulatorArchive } from './archive.js';
import { parseSdkFault } from './archive.js';
import { parseChatInput } from './archive-messages.js';
import { EmulatorInputError } from './errcodes.js';
import { INVALID_JSON } from './params.js';

/**
 * Archive controls (demo and tests only, like every /emulator/_… route):
 * - `POST /_chat` `{from, to | roomId, text}` (or `msgtype` and its fields, `image`: a small picture in base64)
 *   → `{msgid, seq}` once the message is in the archive and msgaudit_notify has been sent;
 * - `GET /_archive` what the archive holds (no secrets); `POST /_archive/keys` registers a new key version;
 * - `GET`/`POST`/`DELETE /_archive/faults` faults of the stand-in SDK's calls.
 */
export function registerChatControls(
  app: FastifyInstance,
  archive: EmulatorArchive,
  jsonBody: (body: unknown) => unknown,
): void {
  const json = (body: unknown): unknown => {
    const value = jsonBody(body);
    if (value === INVALID_JSON) throw new EmulatorInputError('body must be valid JSON');
    return value;
  };

  app.post('/_chat', async (req) => {
    const { msgid, seq } = await archive.chat(parseChatInput(json(req.body)));
    return { msgid, seq };
  });

  app.get('/_archive', async () => archive.summary());

  app.post('/_archive/keys', async (_req, reply) => {
    const { publickey_ver } = await archive.registerKey();
    return reply.status(201).send({ publickey_ver });
  });

  app.get('/_archive/faults', async () => archive.sdkFaults());
  app.post('/_archive/faults', async (req, reply) => {
    archive.addSdkFault(parseSdkFault(json(req.body)));
    return reply.status(201).send({ faults: archive.sdkFaults() });
  });
  app.delete('/_archive/faults', async (_req, reply) => {
    archive.clearSdkFaults();
    return reply.status(204).send();
  });
}
