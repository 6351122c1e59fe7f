/**
 * The words of the page that a provider may change, to match the product's own vocabulary
 * (Tooken says "Regenerate", Tiro "Create New API Key"). Everything else is plain English.
 */
export interface DashboardTexts {
  /** The page's heading. @default 'API keys' */
  title: string;
  /** One sentence under the heading. @default 'Keys let your programs call the API on behalf of this workspace.' */
  intro: string;
  /** The heading of the key list. @default 'Keys' */
  keysHeading: string;
  /** The button that opens the create dialog. @default 'Create key' */
  createKey: string;
  /** The verb of rotation, on its button and dialog. @default 'Rotate' */
  rotate: string;
  /** @default 'Revoke' */
  revoke: string;
  /** @default 'Delete' */
  delete: string;
  /** @default 'Rename' */
  rename: string;
  /** The heading of the audit log. @default 'Audit log' */
  auditLog: string;
  /** The heading of the legacy section. @default 'Legacy personal keys' */
  legacyHeading: string;
  /** Shown when the workspace has no key. @default 'No keys yet. Create one to call the API.' */
  empty: string;
}

/** The default {@link DashboardTexts}. */
export const DEFAULT_TEXTS: Readonly<DashboardTexts> = Object.freeze({
  title: 'API keys',
  intro: 'Keys let your programs call the API on behalf of this workspace.',
  keysHeading: 'Keys',
  createKey: 'Create key',
  rotate: 'Rotate',
  revoke: 'Revoke',
  delete: 'Delete',
  rename: 'Rename',
  auditLog: 'Audit log',
  legacyHeading: 'Legacy personal keys',
  empty: 'No keys yet. Create one to call the API.',
});

/** The names of {@link DashboardTexts}, for checking a provider's texts. */
export const TEXT_NAMES = Object.freeze(Object.keys(DEFAULT_TEXTS)) as readonly (keyof DashboardTexts)[];
