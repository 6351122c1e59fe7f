export { describeDashboardMount } from './describe-mount.js';
export type { MountSuiteOptions, StartedServer } from './describe-mount.js';
