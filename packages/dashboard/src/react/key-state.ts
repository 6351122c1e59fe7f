import { formatDate, formatDateTime } from './format.js';
import type { KeyView } from './types.js';

/** How a key's state reads in the list: a short label, its tone, and a sentence. */
export interface KeyState {
  readonly label: string;
  readonly tone: 'ok' | 'warn' | 'bad' | 'off';
  readonly detail: string | null;
}

/**
 * A key's state as a person needs it, with its rotation partner in view: during a grace period
 * the old key says until when it works and which key replaces it, and the new key which one it
 * replaces.
 */
export function keyState(key: KeyView, all: readonly KeyView[]): KeyState {
  const successor = key.rotatedToId === null ? undefined : all.find((k) => k.id === key.rotatedToId);
  const predecessor = all.find((k) => k.rotatedToId === key.id && k.status === 'active');
  switch (key.status) {
    case 'revoked':
      return { label: 'Revoked', tone: 'bad', detail: key.revokedAt ? `since ${formatDateTime(key.revokedAt)}` : null };
    case 'expired':
      return key.rotatedToId !== null
        ? {
            label: 'Replaced',
            tone: 'off',
            detail: successor ? `by the key ending in ${successor.hint}; its grace period is over` : 'its grace period is over',
          }
        : { label: 'Expired', tone: 'bad', detail: key.expiresAt ? `since ${formatDateTime(key.expiresAt)}` : null };
    case 'sunset':
      return { label: 'Past sunset', tone: 'bad', detail: key.sunsetAt ? `stopped working on ${formatDate(key.sunsetAt)}` : null };
    default:
      if (key.rotatedToId !== null) {
        return {
          label: 'Grace period',
          tone: 'warn',
          detail: `works until ${key.expiresAt ? formatDateTime(key.expiresAt) : 'its grace period ends'}${successor ? `; replaced by the key ending in ${successor.hint}` : ''}`,
        };
      }
      if (key.legacy) return { label: 'Legacy', tone: 'warn', detail: key.sunsetAt ? `works until ${formatDate(key.sunsetAt)}, its sunset` : null };
      return { label: 'Active', tone: 'ok', detail: predecessor ? `replaces the key ending in ${predecessor.hint}` : null };
  }
}

/** Whether a key can still be used, so that rotating or revoking it means something. */
export const isLive = (key: KeyView): boolean => key.status === 'active';
