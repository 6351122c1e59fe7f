import { fetchRoutes } from '@keyward/next';
import { fixtureDashboard } from '@/lib/dashboard';

export const { GET, POST, PUT, PATCH, DELETE } = fetchRoutes(fixtureDashboard('/keyward'));
