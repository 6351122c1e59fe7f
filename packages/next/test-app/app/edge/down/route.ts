import { withApiKey } from '@keyward/next';
import { body, downKeyward } from '@/lib/engines';

export const runtime = 'edge';
export const GET = withApiKey((_request, { apiKey }) => Response.json(body(apiKey)), { keyward: downKeyward });
