import { withApiKey } from '@keyward/next';
import { body, failingKeyward } from '@/lib/engines';

export const GET = withApiKey((_request, { apiKey }) => Response.json(body(apiKey)), { keyward: failingKeyward });
