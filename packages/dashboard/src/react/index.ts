// @keyward/dashboard/react: the key-management UI as React components, against your React.
export { KeywardDashboard } from './dashboard.js';
export type { DashboardSection, KeywardDashboardProps } from './dashboard.js';
export { KeywardProvider, useKeyward } from './context.js';
export type { KeywardContextValue, KeywardProviderProps } from './context.js';
export { ApiKeys } from './api-keys.js';
export { AuditLog } from './audit-log.js';
export { LegacyKeys } from './legacy-keys.js';
export { WorkspaceSwitcher } from './workspace-switcher.js';
export { UsageChart } from './usage-chart.js';
export type { UsageSeries } from './usage-chart.js';
export { createDashboardClient, DashboardApiError } from './client.js';
export type { DashboardClient, DashboardClientOptions, DashboardFieldError } from './client.js';
export { DEFAULT_TEXTS } from './texts.js';
export type { DashboardTexts } from './texts.js';
export type * from './types.js';
