import { fetchRoutes } from '@keyward/next';
import { handlers } from '../../../lib/engine';

// The demo-only sign-in (/demo/sign-in?as=admin, /demo/sign-out): a session cookie the dashboard's
// `authorize` reads. Not for production: a real app has its own sign-in.
export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const { GET } = fetchRoutes((request) => handlers().signIn(request));
