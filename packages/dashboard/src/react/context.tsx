import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';
import type { DashboardAction } from '../permissions.js';
import { createDashboardClient, type DashboardClient } from './client.js';
import { DEFAULT_TEXTS, type DashboardTexts } from './texts.js';
import type { MeView, WorkspaceView } from './types.js';
import { type Resource, useResource } from './use-resource.js';

/** What every section reads: the client, the words, who is signed in, the workspace and its permissions. */
export interface KeywardContextValue {
  readonly client: DashboardClient;
  readonly texts: Readonly<DashboardTexts>;
  readonly me: Resource<MeView>;
  /** The workspace shown, or `null` when none is chosen (or the principal has none). */
  readonly workspaceId: string | null;
  /** Switches workspace (the switcher calls it). */
  selectWorkspace(workspaceId: string): void;
  readonly workspace: Resource<WorkspaceView>;
  /** Whether the principal's role in the workspace allows the action (false until it is known). */
  can(action: DashboardAction): boolean;
  /** Goes up after every change a section makes, so that the others (the audit log) read again. */
  readonly revision: number;
  changed(): void;
  /** Where to send someone who is signed out. */
  readonly signInUrl: string | null;
}

const KeywardContext = createContext<KeywardContextValue | null>(null);

/** Props of {@link KeywardProvider}. */
export interface KeywardProviderProps {
  /**
   * Where the dashboard handler is mounted, as the browser sees it.
   * @default '/keyward'
   */
  basePath?: string;
  /** A client of your own (other headers, another `fetch`); `basePath` is then ignored. */
  client?: DashboardClient;
  /**
   * The workspace to show. Without it the first of the principal's workspaces (from your
   * `authorize`'s `workspaces`) is shown, and the switcher changes it.
   */
  workspaceId?: string;
  /** Told when someone picks another workspace in the switcher (make `workspaceId` follow it). */
  onWorkspaceChange?: (workspaceId: string) => void;
  /** Your product's words for the page's main labels. */
  texts?: Partial<DashboardTexts>;
  /** A link shown to someone who is signed out. */
  signInUrl?: string;
  children?: ReactNode;
}

/**
 * Loads who is signed in and the workspace's permissions once, for every section inside it
 * (`<ApiKeys />`, `<AuditLog />`, `<LegacyKeys />`, `<WorkspaceSwitcher />`). {@link KeywardDashboard}
 * is this provider with all the sections laid out.
 */
export function KeywardProvider(props: KeywardProviderProps) {
  const { basePath, client: given } = props;
  const client = useMemo(() => given ?? createDashboardClient({ basePath: basePath ?? '/keyward' }), [given, basePath]);
  const me = useResource(() => client.me(), client.basePath);
  const [picked, setPicked] = useState<string | null>(null);
  const listed = me.data?.workspaces ?? null;
  const workspaceId =
    props.workspaceId ?? (picked !== null && (listed === null || listed.some((w) => w.id === picked)) ? picked : (listed?.[0]?.id ?? null));
  const signedIn = me.data !== undefined;
  // The key names what is shown (the workspace) and whether it can be read yet (signed in).
  const workspace = useResource(
    workspaceId === null || !signedIn ? null : () => client.workspace(workspaceId),
    `${client.basePath}|${workspaceId}|${signedIn}`,
  );
  const [revision, setRevision] = useState(0);
  const { onWorkspaceChange, texts, signInUrl } = props;
  const selectWorkspace = useCallback(
    (id: string) => {
      setPicked(id);
      onWorkspaceChange?.(id);
    },
    [onWorkspaceChange],
  );
  const changed = useCallback(() => setRevision((r) => r + 1), []);
  const permissions = workspace.data?.permissions;
  const value = useMemo<KeywardContextValue>(
    () => ({
      client,
      texts: { ...DEFAULT_TEXTS, ...texts },
      me,
      workspaceId,
      selectWorkspace,
      workspace,
      can: (action) => permissions?.includes(action) ?? false,
      revision,
      changed,
      signInUrl: signInUrl ?? null,
    }),
    [client, texts, me, workspaceId, selectWorkspace, workspace, permissions, revision, changed, signInUrl],
  );
  return <KeywardContext.Provider value={value}>{props.children}</KeywardContext.Provider>;
}

/** The context of the nearest {@link KeywardProvider}. @throws {Error} outside one. */
export function useKeyward(): KeywardContextValue {
  const value = useContext(KeywardContext);
  if (value === null) throw new Error('Keyward components must be placed inside <KeywardProvider> (or use <KeywardDashboard>)');
  return value;
}
