// A custom Next.js server (https://nextjs.org/docs/app/guides/custom-server) with the two changes
// the README recommends: `joinDuplicateHeaders`, so that Node joins two `Authorization` headers
// with ", " (which Keyward refuses as malformed) instead of silently dropping the second, as
// `next start` does; and a 4xx, before Next.js, for the requests Next.js answers with a 500
// (`TRACE`, which no Web `Request` can carry, and the target `*`).
// Prints the port it listens on (127.0.0.1, random) when ready.
import { createServer } from 'node:http';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import next from 'next';

const app = next({ dev: false, dir: dirname(fileURLToPath(import.meta.url)), hostname: '127.0.0.1' });
await app.prepare();
const handle = app.getRequestHandler();
const server = createServer({ joinDuplicateHeaders: true }, (req, res) => {
  if (req.url === '*') return void res.writeHead(req.method === 'OPTIONS' ? 204 : 400, { 'content-length': 0 }).end();
  if (req.method === 'TRACE') return void res.writeHead(405, { 'content-length': 0 }).end();
  handle(req, res);
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`> Ready on http://127.0.0.1:${server.address().port}\n`);
});
