import type { AddressInfo } from 'node:net';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyInstance {
    origin: {
      /** Where this process can reach itself (loopback), e.g. for the emulator's callbacks. */
      internal(): string;
      /** Where users reach us: PUBLIC_URL, or the listening address. */
      public(): string;
    };
  }
}

export default fp(
  async (app, opts: { publicUrl: string | null }) => {
    const internal = () => {
      const address = app.server.address() as AddressInfo | null;
      if (!address || typeof address === 'string') throw new Error('the server is not listening yet');
      const host =
        address.family === 'IPv6'
          ? `[${address.address === '::' ? '::1' : address.address}]`
          : address.address === '0.0.0.0'
            ? '127.0.0.1'
            : address.address;
      return `http://${host}:${address.port}`;
    };
    app.decorate('origin', { internal, public: () => opts.publicUrl ?? internal() });
  },
  { name: 'origin' },
);
