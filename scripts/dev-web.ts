/**
 * `npm run dev`: both front ends with hot reload, in one process — the sidebar (http://127.0.0.1:5173/sidebar/) and
 * the console (http://127.0.0.1:5174/console/), each proxying /api, /emulator and /wecom to the server on :3000
 * (start it with `npm start` in another terminal).
 */
import { createServer, type ViteDevServer } from 'vite';

const configs = ['sidebar/vite.config.ts', 'console/vite.config.ts'];
const servers: ViteDevServer[] = [];
for (const configFile of configs) {
  const server = await createServer({ configFile });
  await server.listen();
  server.printUrls();
  servers.push(server);
}

async function stop() {
  await Promise.all(servers.map((s) => s.close()));
  process.exit(0);
}
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
