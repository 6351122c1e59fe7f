import { fetchRoutes } from '@keyward/next';
import { fixtureDashboard } from '@/lib/dashboard';

export const runtime = 'edge';
export const { GET, POST, PUT, PATCH, DELETE } = fetchRoutes(fixtureDashboard('/edge/keyward'));
