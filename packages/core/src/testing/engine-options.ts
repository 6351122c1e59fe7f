import type { KeywardOptions } from '../engine/options.js';

/**
 * What a conformance suite adds to every engine it makes: a logger (`strictLogger()`, to prove no
 * line holds a secret) or instruments (to run the suite observed).
 */
export type SuiteEngineOptions = Pick<KeywardOptions, 'logger' | 'instrument'>;
