import type { FastifyInstance } from 'fastify';
import { avatarSvg } from './avatar.js';
import type { EmulatorCore } from './core.js';
import { EmulatorInputError } from './errcodes.js';
import { errorPage } from './html.js';
import { renderIndexPage } from './index-page.js';
import { renderQrPage, renderQrPng, renderScanResult, wantsQrImage } from './qr-page.js';
import { registerRobotPages } from './routes-robots.js';
import type { SimulateResult } from './simulate.js';

export interface PageDeps {
  core: EmulatorCore;
  scan: (configId: string, customerName?: string) => Promise<SimulateResult>;
  formBody: (body: unknown) => Record<string, string>;
}

/** Browser pages: home, avatars, channel QR codes and the simulated scan. */
export function registerPages(app: FastifyInstance, { core, scan, formBody }: PageDeps): void {
  app.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').send(renderIndexPage(core)));
  // Group robots' stand-in chats and members' stand-in inboxes: where notifications arrive.
  registerRobotPages(app, core);

  app.get<{ Params: { file: string } }>('/avatar/:file', async (req, reply) => {
    const { file } = req.params;
    if (!file.endsWith('.svg')) return reply.status(404).type('text/plain; charset=utf-8').send('not found');
    const id = file.slice(0, -'.svg'.length);
    return reply
      .type('image/svg+xml; charset=utf-8')
      .header('cache-control', 'public, max-age=86400')
      .send(avatarSvg(id, core.displayName(id)));
  });

  // Uploaded pictures (media/upload), for the scan result page and the sidebar's stand-in chat.
  app.get<{ Params: { mediaId: string } }>('/media/:mediaId', async (req, reply) => {
    const image = core.mediaImage(req.params.mediaId);
    if (!image) return reply.status(404).type('text/plain; charset=utf-8').send('not found');
    return reply.type(image.contentType).header('cache-control', 'private, max-age=3600').send(image.data);
  });

  // The `qr_code` URL of a contact way. WeCom's is an image; here it is also the page to simulate a scan, so it
  // answers the PNG to a client that asks for an image and not HTML (an <img>, the server's download).
  app.get<{ Params: { configId: string } }>('/qr/:configId', async (req, reply) => {
    const way = core.findContactWay(req.params.configId);
    if (wantsQrImage(req.headers.accept)) {
      reply.header('vary', 'accept');
      if (!way) return reply.status(404).type('text/plain; charset=utf-8').send('not found');
      return reply
        .type('image/png')
        .header('cache-control', 'no-store')
        .send(await renderQrPng(core, way));
    }
    reply.type('text/html; charset=utf-8');
    if (!way) return reply.status(404).send(errorPage('渠道活码不存在', '该渠道活码不存在或已被删除。', '/emulator/'));
    return renderQrPage(core, way);
  });

  app.post<{ Params: { configId: string } }>('/qr/:configId/scan', async (req, reply) => {
    const { configId } = req.params;
    if (!core.findContactWay(configId)) {
      return reply
        .status(404)
        .type('text/html; charset=utf-8')
        .send(errorPage('渠道活码不存在', '该渠道活码不存在或已被删除。', '/emulator/'));
    }
    const name = formBody(req.body).name?.trim() || undefined;
    try {
      const result = await scan(configId, name);
      // Post/redirect/get: the result page can be refreshed to see the welcome message arrive.
      const to = `/emulator/qr/${encodeURIComponent(configId)}/result?customer=${encodeURIComponent(result.externalUserId)}`;
      return reply.redirect(to, 303);
    } catch (err) {
      if (!(err instanceof EmulatorInputError)) throw err;
      return reply
        .status(400)
        .type('text/html; charset=utf-8')
        .send(errorPage('无法模拟扫码', err.message, `/emulator/qr/${encodeURIComponent(configId)}`));
    }
  });

  app.get<{ Params: { configId: string }; Querystring: { customer?: string } }>(
    '/qr/:configId/result',
    async (req, reply) => {
      reply.type('text/html; charset=utf-8');
      const way = core.findContactWay(req.params.configId);
      const customer = core.findCustomer(req.query.customer ?? '');
      const record =
        customer && [...core.callbacks].reverse().find((c) => c.externalUserId === customer.external_userid);
      if (!way || !customer || !record) {
        return reply
          .status(404)
          .send(errorPage('找不到扫码记录', '该扫码记录不存在（模拟器重启后记录会清空）。', '/emulator/'));
      }
      return renderScanResult(core, way, customer, record);
    },
  );
}
