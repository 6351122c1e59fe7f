import { withApiKey } from '@keyward/next';
import { keyward } from '@/lib/engines';

// bench/http.ts: the same JSON hello route behind withApiKey.
export const GET = withApiKey(() => Response.json({ hello: 'world' }), { keyward });
