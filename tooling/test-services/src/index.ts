export * from './services.js';
export { describeRevocationPropagation, measureRevocation, raceAcrossProcesses } from './propagation.js';
export type { Revocation } from './propagation.js';
export { CHROMIUM_ARGS, ensureChromium, findChromium, launchBrowser, seriousViolations } from './browser.js';
export { bundleForWeb, runWithoutNode, TINY_STORE_SOURCE, webGlobals } from './portable.js';
export { embeddedDir } from './embedded-dir.js';
export { OUTAGE_NOTICES, runOutage } from './outage.js';
