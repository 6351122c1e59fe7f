import type { DashboardSection } from '../react/dashboard.js';
import type { DashboardTexts } from '../react/texts.js';

/** What the handler tells the page's script, in the HTML's JSON data block. */
export interface PageConfig {
  readonly basePath: string;
  readonly texts: Partial<DashboardTexts>;
  readonly colorScheme: 'light' | 'dark' | 'auto';
  readonly sections: readonly DashboardSection[];
  readonly notice: string | null;
  readonly signInUrl: string | null;
}
