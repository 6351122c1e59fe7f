import { withApiKey } from '@keyward/next';
import { body, keyward } from '@/lib/engines';

// Behind the proxy and verified again in the handler (a cache hit) to get the whole key object.
export const GET = withApiKey((_request, { apiKey }) => Response.json(body(apiKey)), { keyward });
