import type { DashboardSection } from '../react/dashboard.js';
import type { DashboardTexts } from '../react/texts.js';

/**
 * Colours, fonts and radius of the page, as CSS values. Each sets one custom property (`accent`
 * → `--kw-accent`); the React components read the same properties from your own CSS.
 */
export interface PageTheme {
  /** Light, dark, or the system's choice. @default 'light' */
  colorScheme?: 'light' | 'dark' | 'auto';
  /** Primary buttons, links, the usage bars (`--kw-accent`). @default '#2454d3' */
  accent?: string;
  /** Text on the accent colour (`--kw-accent-text`). @default '#ffffff' */
  accentText?: string;
  /** The page behind the sections (`--kw-background`). @default '#f5f6f8' */
  background?: string;
  /** Sections and dialogs (`--kw-surface`). @default '#ffffff' */
  surface?: string;
  /** `--kw-text`. @default '#1a1d23' */
  text?: string;
  /** Secondary text (`--kw-muted`). @default '#576070' */
  muted?: string;
  /** `--kw-border`. @default '#d8dce3' */
  border?: string;
  /** Revoke and delete, errors (`--kw-danger`). @default '#b3261e' */
  danger?: string;
  /** The "Active" state (`--kw-success`). @default '#17743a' */
  success?: string;
  /** Grace periods, legacy keys, the shown-once warning (`--kw-warning`). @default '#8a5a00' */
  warning?: string;
  /** The keyboard focus ring (`--kw-focus`). @default the accent */
  focus?: string;
  /** `--kw-font`. @default the system UI font */
  font?: string;
  /** Keys and scopes (`--kw-font-mono`). @default the system monospace font */
  monoFont?: string;
  /** Corners (`--kw-radius`). @default '8px' */
  radius?: string;
}

/** The key-management page served at `GET <basePath>/`. */
export interface PageOptions {
  /** The document's title. @default texts.title ('API keys') */
  title?: string;
  /** Your product's words for the main labels (`{ rotate: 'Regenerate' }`). */
  texts?: Partial<DashboardTexts>;
  /** Colours, fonts, radius. */
  theme?: PageTheme;
  /**
   * Who may show the page in a frame: CSP `frame-ancestors` sources (`"'self'"`,
   * `'https://app.example.com'`). The default allows no one (clickjacking).
   * @default ["'none'"]
   */
  frameAncestors?: readonly string[];
  /** A line shown at the top ("Demo sign-in: …"). */
  notice?: string;
  /** Where the page sends someone who is not signed in (a same-site path or an https URL). */
  signInUrl?: string;
  /** The sections, in order. @default ['keys', 'legacy', 'audit'] */
  sections?: readonly DashboardSection[];
}
