import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ErrorBody, InputObject } from '../../shared/schemas/common.js';
import { NotFoundError } from '../errors.js';
import { SCRIPT_IMAGE_PREFIX, scriptImage } from './script-images.js';

/** Demo mode only: the pictures of the demo's image and link scripts. Public, like any image on a web page. */
export const demoAssetRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    `${SCRIPT_IMAGE_PREFIX}:file`,
    {
      schema: {
        params: InputObject({ file: Type.String({ pattern: '^[a-z-]{1,40}\\.png$' }) }),
        response: {
          200: Type.Unsafe<Buffer>({ type: 'string', description: 'PNG bytes' }),
          400: ErrorBody,
          404: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const png = scriptImage(request.params.file.replace(/\.png$/, ''));
      if (!png) throw new NotFoundError('图片不存在');
      return reply.type('image/png').header('cache-control', 'public, max-age=86400').send(png);
    },
  );
};
