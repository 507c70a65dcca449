/**
 * `npm start` runs this before building: a port already in use is one clear line and exit code 1, not a stack
 * trace after a full build. The server checks again when it listens (something may take the port in between).
 */
import { createServer } from 'node:net';

const port = Number(process.env.PORT || 3000);
const host = process.env.HOST?.trim() || '127.0.0.1';

await new Promise<void>((resolve) => {
  const probe = createServer();
  probe.once('error', (err: NodeJS.ErrnoException) => {
    process.stderr.write(
      err.code === 'EADDRINUSE'
        ? `Port ${port} on ${host} is already in use: stop the other process or set PORT (e.g. PORT=3001 npm start).\n`
        : `Cannot listen on ${host}:${port}: ${err.message}\n`,
    );
    process.exit(1);
  });
  probe.listen(port, host, () => probe.close(() => resolve()));
});
