import { createDashboard } from '@keyward/dashboard';
import { keyward } from '@/lib/engines';

/**
 * The management API of the fixture, signed in by a demo header (`x-demo-user: admin` is an admin
 * of ws_1). One per runtime and base path: the Node route under /keyward, its Edge twin under
 * /edge/keyward.
 */
export function fixtureDashboard(basePath: string) {
  return createDashboard(keyward, {
    basePath,
    authorize: (request, { workspaceId }) =>
      request.headers.get('x-demo-user') === 'admin' ? { id: 'user_admin', name: 'Admin', role: workspaceId === 'ws_1' ? 'admin' : null } : null,
    scopes: ['notes:read'],
  });
}
