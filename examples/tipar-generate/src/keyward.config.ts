// What the `keyward` command needs to make Tipar's keys (`keyward --config src/keyward.config.ts
// keys rotate …`, under a TypeScript loader): the format of lib/engine.ts, SHA-256 (the default).
import { tiparFormat } from '../lib/engine.js';

export const keyward = { format: tiparFormat };
