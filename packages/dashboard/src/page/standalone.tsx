// The page the handler serves at its base path: <KeywardDashboard> on the configuration the
// handler wrote into the HTML (a JSON data block: CSP allows it, since it never runs). Bundled by
// scripts/build-page.mjs with React aliased to Preact, so that the page stays small.
import { useState } from 'react';
import { createRoot } from 'react-dom/client';
import { KeywardDashboard } from '../react/dashboard.js';
import type { PageConfig } from './page-config.js';

function App({ config }: { config: PageConfig }) {
  const [workspaceId, setWorkspaceId] = useState(() => new URLSearchParams(location.search).get('workspace') ?? undefined);
  return (
    <KeywardDashboard
      basePath={config.basePath}
      texts={config.texts}
      colorScheme={config.colorScheme}
      sections={config.sections}
      {...(config.notice !== null ? { notice: config.notice } : {})}
      {...(config.signInUrl !== null ? { signInUrl: config.signInUrl } : {})}
      {...(workspaceId !== undefined ? { workspaceId } : {})}
      onWorkspaceChange={(id) => {
        setWorkspaceId(id);
        // The workspace is in the address (a reload or a shared link shows the same one); nothing secret is.
        const url = new URL(location.href);
        url.searchParams.set('workspace', id);
        history.replaceState(null, '', url);
      }}
    />
  );
}

const root = document.getElementById('keyward-root');
const data = document.getElementById('keyward-config');
if (root !== null && data !== null) {
  root.textContent = '';
  createRoot(root).render(<App config={JSON.parse(data.textContent ?? '{}') as PageConfig} />);
}
