import helmet from '@fastify/helmet';
import fp from 'fastify-plugin';

/**
 * Security headers on every answer (helmet). The CSP fits the built sidebar and console (own scripts only; inline
 * styles, which vant and element-plus set on elements; data: and https images for WeCom avatars) and the emulator's
 * pages. HSTS and upgrade-insecure-requests only when the public URL is https, so the http demo keeps working.
 */
export default fp(
  async (app, opts: { https: boolean }) => {
    await app.register(helmet, {
      global: true,
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          scriptSrcAttr: ["'none'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:', 'blob:', 'https:'],
          fontSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'self'"],
          ...(opts.https ? { upgradeInsecureRequests: [] } : {}),
        },
      },
      hsts: opts.https ? { maxAge: 15_552_000, includeSubDomains: false } : false,
    });
  },
  { name: 'security-headers' },
);
