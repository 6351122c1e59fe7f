/**
 * A role of a principal in a workspace. `owner`, `admin` and `member` have default permissions;
 * any other name is allowed and has none unless the `permissions` option grants some.
 */
export type DashboardRole = 'owner' | 'admin' | 'member' | (string & {});

/** Everything the management API lets a role do in a workspace. */
export const DASHBOARD_ACTIONS = [
  /** List the workspace's keys and read one (never a plaintext key, never a hash). */
  'keys:read',
  /** Create a key (its plaintext is in that one response). */
  'keys:create',
  /** Rename a key, change its scopes. */
  'keys:update',
  /** Rotate a key with a grace period from the configured list. */
  'keys:rotate',
  'keys:revoke',
  'keys:delete',
  /** Read the workspace's audit log (it holds client IP addresses and user agents). */
  'audit:read',
  /** Read request counts per key and day. */
  'usage:read',
] as const;

export type DashboardAction = (typeof DASHBOARD_ACTIONS)[number];

/** Which actions each role may take: `{ owner: [...], admin: [...], member: [...] }`. */
export type PermissionTable = Readonly<Record<string, readonly DashboardAction[]>>;

/**
 * Tuco's rule, "workspace owners and admins control which keys exist": owners and admins may do
 * everything; members may see the keys (names, display hints, dates) and their usage, and change
 * nothing. Members do not read the audit log by default: it holds the IP addresses and user agents
 * of the workspace's clients.
 */
export const DEFAULT_PERMISSIONS: PermissionTable = Object.freeze({
  owner: Object.freeze([...DASHBOARD_ACTIONS]),
  admin: Object.freeze([...DASHBOARD_ACTIONS]),
  member: Object.freeze(['keys:read', 'usage:read'] as DashboardAction[]),
});

const KNOWN = new Set<string>(DASHBOARD_ACTIONS);

/**
 * The defaults with `overrides` applied role by role (a role given replaces that role's list; `[]`
 * takes everything from it).
 * @throws {TypeError} / {RangeError} for a list that is not one, or an unknown action.
 */
export function resolvePermissions(overrides: Partial<PermissionTable> | undefined): ReadonlyMap<string, ReadonlySet<DashboardAction>> {
  if (overrides !== undefined && (typeof overrides !== 'object' || overrides === null)) {
    throw new TypeError('permissions must be an object: { owner: [...], admin: [...], member: [...] }');
  }
  const table = new Map<string, ReadonlySet<DashboardAction>>();
  for (const [role, actions] of Object.entries({ ...DEFAULT_PERMISSIONS, ...overrides })) {
    if (actions === undefined) continue;
    if (!Array.isArray(actions)) throw new TypeError(`permissions.${role} must be a list of actions`);
    for (const action of actions) {
      if (!KNOWN.has(action))
        throw new RangeError(`permissions.${role}: unknown action ${JSON.stringify(action)}; known: ${DASHBOARD_ACTIONS.join(', ')}`);
    }
    table.set(role, new Set(actions));
  }
  return table;
}
