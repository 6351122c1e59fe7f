import { body } from '@/lib/engines';

// No withApiKey: the handler's context has no key, even when one is sent.
export function GET(_request: Request, context: { params: Promise<object> }) {
  return Response.json(body((context as { apiKey?: { id: string; workspaceId: string | null } }).apiKey));
}
