import { run } from './index.js';

// Exits as soon as the command is done (an engine may hold timers or sockets a moment longer).
run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  () => process.exit(1),
);
