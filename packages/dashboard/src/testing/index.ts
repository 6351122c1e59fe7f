export { describeDashboardMount, listenOnLoopback } from './describe-mount.js';
export type { ListeningServer, MountSuiteOptions, StartedServer } from './describe-mount.js';
