import type { UsageReport } from '@keyward/core';
import type { KeyView } from '../views.js';
import type { DashboardAction, DashboardRole } from '../permissions.js';

export type { AuditEventView, KeyView, PersonView } from '../views.js';

/** `GET <base>/api/me`: who is signed in, and the workspaces they may switch between. */
export interface MeView {
  readonly id: string;
  readonly name: string;
  /** `null` when the provider's `authorize` does not list them. */
  readonly workspaces: readonly { readonly id: string; readonly name: string | null; readonly role: DashboardRole }[] | null;
}

/** `GET <base>/api/workspaces/{ws}`: the principal's role there and what the page may offer. */
export interface WorkspaceView {
  readonly id: string;
  readonly role: DashboardRole;
  readonly permissions: readonly DashboardAction[];
  readonly catalogue: {
    readonly scopes: readonly { readonly name: string; readonly description: string | null }[];
    /** Checked at first in the create dialog (what a key gets when none is named). */
    readonly defaultScopes: readonly string[];
    readonly environments: readonly string[];
    readonly gracePeriods: readonly { readonly value: string; readonly seconds: number }[];
  };
  readonly limits: { readonly maxNameLength: number; readonly maxBodyBytes: number; readonly maxPageSize: number };
  /** The engine's default sunset of legacy keys (ISO 8601), or `null`. */
  readonly legacySunset: string | null;
}

/** A page of a list, newest first for the audit log. */
export interface PageView<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

/** A created key: its plaintext (shown once) and its record. */
export interface CreatedKeyView {
  readonly key: string;
  readonly record: KeyView;
}

/** A rotated key: the new plaintext (shown once), the new record and the old one (in its grace period). */
export interface RotatedKeyView extends CreatedKeyView {
  readonly previous: KeyView;
}

/** `GET <base>/api/workspaces/{ws}/usage`. */
export type UsageView = UsageReport;

/** What `POST …/keys` takes. */
export interface CreateKeyInput {
  readonly name: string;
  readonly environment?: string;
  readonly scopes?: readonly string[];
  /** ISO 8601, in the future; `null`: never. */
  readonly expiresAt?: string | null;
}
