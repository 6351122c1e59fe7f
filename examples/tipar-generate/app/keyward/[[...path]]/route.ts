import { fetchRoutes } from '@keyward/next';
import { handlers } from '../../../lib/engine';

// The key-management API under /keyward (the page at /keyward itself comes with @keyward/dashboard's
// next release), mounted as @keyward/next mounts any web-standard handler. The dashboard is made by
// the server at start (src/server.ts), next to the engine.
export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const { GET, POST, PUT, PATCH, DELETE } = fetchRoutes((request) => handlers().dashboard(request));
