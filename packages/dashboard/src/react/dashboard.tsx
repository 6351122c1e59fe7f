import { ApiKeys } from './api-keys.js';
import { AuditLog } from './audit-log.js';
import { KeywardProvider, type KeywardProviderProps, useKeyward } from './context.js';
import { LegacyKeys } from './legacy-keys.js';
import { ErrorState, Loading } from './states.js';
import { WorkspaceSwitcher } from './workspace-switcher.js';

/** A section of {@link KeywardDashboard}. */
export type DashboardSection = 'keys' | 'legacy' | 'audit';

/** Props of {@link KeywardDashboard}. */
export interface KeywardDashboardProps extends Omit<KeywardProviderProps, 'children'> {
  /** The sections to show, in this order. @default ['keys', 'legacy', 'audit'] */
  sections?: readonly DashboardSection[];
  /** A line shown above everything ("Demo sign-in: …"). */
  notice?: string;
  /** `auto` follows the system's light or dark setting. @default 'light' */
  colorScheme?: 'light' | 'dark' | 'auto';
  /** Hide the page's own heading, when your settings page has one. @default false */
  hideHeading?: boolean;
  /** Extra class names of the root element (it always has `kw-root`). */
  className?: string;
}

/**
 * The whole key-management UI: heading, who is signed in, the workspace switcher, the keys
 * (create → copy once → rename → rotate with grace → revoke / delete, usage), the legacy keys and
 * the audit log — what the handler serves at its base path, for your own React page. Import
 * `@keyward/dashboard/react/styles.css` once; theme it with the `--kw-*` custom properties.
 *
 * @example
 * ```tsx
 * 'use client';
 * import { KeywardDashboard } from '@keyward/dashboard/react';
 * import '@keyward/dashboard/react/styles.css';
 *
 * export function ApiKeysSettings() {
 *   return <KeywardDashboard basePath="/keyward" texts={{ title: 'API Keys', rotate: 'Regenerate' }} />;
 * }
 * ```
 */
export function KeywardDashboard(props: KeywardDashboardProps) {
  const { sections = ['keys', 'legacy', 'audit'], notice, colorScheme = 'light', hideHeading = false, className, ...provider } = props;
  return (
    <KeywardProvider {...provider}>
      <div className={className ? `kw-root ${className}` : 'kw-root'} data-kw-scheme={colorScheme}>
        <Layout sections={sections} notice={notice ?? null} hideHeading={hideHeading} />
      </div>
    </KeywardProvider>
  );
}

function Layout({ sections, notice, hideHeading }: { sections: readonly DashboardSection[]; notice: string | null; hideHeading: boolean }) {
  const { me, texts, signInUrl, workspaceId, workspace } = useKeyward();
  const role = workspace.data?.role;
  return (
    <>
      {notice !== null ? (
        <p className="kw-notice" role="note">
          {notice}
        </p>
      ) : null}
      <header className="kw-header">
        <div>
          {hideHeading ? null : <h1 className="kw-title">{texts.title}</h1>}
          <p className="kw-muted kw-intro">{texts.intro}</p>
        </div>
        {me.data !== undefined ? (
          <div className="kw-account">
            <WorkspaceSwitcher />
            <p className="kw-whoami">
              Signed in as <strong>{me.data.name}</strong>
              {role !== undefined ? <span className="kw-badge kw-tone-role">{role}</span> : null}
            </p>
          </div>
        ) : null}
      </header>
      {me.status === 'loading' ? <Loading label="Loading your account…" /> : null}
      {me.status === 'error' && me.error !== null ? (
        me.error.status === 401 ? (
          <div className="kw-error" role="alert">
            <p className="kw-error-title">You are not signed in</p>
            <p>Sign in to see and manage your API keys.</p>
            {signInUrl !== null ? (
              <a className="kw-button kw-button-primary" href={signInUrl}>
                Sign in
              </a>
            ) : null}
          </div>
        ) : (
          <ErrorState error={me.error} what="Your account" onRetry={me.reload} />
        )
      ) : null}
      {me.data !== undefined && workspaceId === null && sections.includes('keys') ? (
        <p className="kw-empty">You are not a member of any workspace yet.</p>
      ) : null}
      {me.data !== undefined
        ? sections.map((section) =>
            section === 'keys' ? <ApiKeys key="keys" /> : section === 'legacy' ? <LegacyKeys key="legacy" /> : <AuditLog key="audit" />,
          )
        : null}
    </>
  );
}
