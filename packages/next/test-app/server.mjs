// A custom Next.js server (https://nextjs.org/docs/app/guides/custom-server) whose only change is
// `joinDuplicateHeaders`: Node then joins two `Authorization` headers with ", " (which Keyward
// refuses as malformed) instead of silently dropping the second, as `next start` does.
// Prints the port it listens on (127.0.0.1, random) when ready.
import { createServer } from 'node:http';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import next from 'next';

const app = next({ dev: false, dir: dirname(fileURLToPath(import.meta.url)), hostname: '127.0.0.1' });
await app.prepare();
const handle = app.getRequestHandler();
const server = createServer({ joinDuplicateHeaders: true }, (req, res) => handle(req, res));
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`> Ready on http://127.0.0.1:${server.address().port}\n`);
});
