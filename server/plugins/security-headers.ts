import helmet from '@fastify/helmet';
import fp from 'fastify-plugin';

/**
 * Security headers on every answer (helmet). The CSP fits the built sidebar and console (own scripts only; inline
 * styles, which vant and element-plus set on elements; data: and https images for WeCom avatars) and the emulator's
 * pages. HSTS and upgrade-insecure-requests only when the public URL is https, so the http demo keeps working.
 *
 * Every answer under /api/ is `Cache-Control: no-store`, errors included: they are a signed-in person's data (or say
 * who is not signed in), and neither the browser's cache nor a proxy on the way may keep them.
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
      // same-origin, not helmet's no-referrer: under no-referrer a browser sends `Origin: null` with the pages' own
      // form posts and fetches, which the CSRF guard (plugins/csrf.ts) cannot tell from a sandboxed foreign page.
      // Other sites still get no Referer at all.
      referrerPolicy: { policy: 'same-origin' },
    });
    // onSend: it runs for every answer, those of the error and not-found handlers and of hooks that refuse early too.
    app.addHook('onSend', async (request, reply, payload) => {
      if (request.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
      return payload;
    });
  },
  { name: 'security-headers' },
);
