import { useState } from 'react';
import { ConfirmDialog } from './confirm-dialog.js';
import { useKeyward } from './context.js';
import { formatDate } from './format.js';
import { KeyTable } from './key-table.js';
import { Section } from './section.js';
import { ErrorState, Loading } from './states.js';
import type { KeyView } from './types.js';
import { useResource } from './use-resource.js';

/**
 * The signed-in person's legacy personal keys, with their sunset: view and revoke only (new ones
 * cannot be created). Shows nothing when they have none.
 */
export function LegacyKeys() {
  const { client, texts, me, changed } = useKeyward();
  const signedIn = me.data !== undefined;
  const legacy = useResource(signedIn ? () => client.legacyKeys() : null, `${client.basePath}|${signedIn}`);
  const [revoking, setRevoking] = useState<KeyView | null>(null);
  if (!signedIn) return null;
  if (legacy.status === 'loading') return <Loading label="Loading legacy keys…" />;
  if (legacy.status === 'error' && legacy.error !== null) {
    return (
      <Section title={texts.legacyHeading}>
        <ErrorState error={legacy.error} what="Your legacy keys" onRetry={legacy.reload} />
      </Section>
    );
  }
  const items = legacy.data?.items ?? [];
  if (items.length === 0) return null;
  const sunset = items.map((k) => k.sunsetAt).find((s) => s !== null) ?? null;
  return (
    <Section className="kw-legacy" title={texts.legacyHeading} aside={<span className="kw-badge kw-tone-warn">View and revoke only</span>}>
      <p className="kw-note">
        {sunset !== null && Date.parse(sunset) <= Date.now() ? (
          <>
            These keys stopped working on <strong>{formatDate(sunset)}</strong>, their sunset: requests with them are refused.
          </>
        ) : sunset !== null ? (
          <>
            These keys keep working until <strong>{formatDate(sunset)}</strong>, their sunset; then they are refused.
          </>
        ) : (
          'These keys are on their way out.'
        )}{' '}
        They can only be viewed and revoked: create a workspace key to replace each one.
      </p>
      <KeyTable
        keys={items}
        label={texts.legacyHeading}
        compact
        allowed={{ rename: false, rotate: false, revoke: true, delete: false }}
        maxNameLength={100}
        usage={null}
        onRenamed={() => undefined}
        onAction={(_, key) => setRevoking(key)}
      />
      {revoking !== null ? (
        <ConfirmDialog
          title={`${texts.revoke} legacy key “${revoking.name}”?`}
          action={`${texts.revoke} key`}
          onClose={() => setRevoking(null)}
          onConfirm={async () => {
            const revoked = await client.revokeLegacyKey(revoking.id);
            legacy.update((page) => ({ ...page, items: page.items.map((k) => (k.id === revoked.id ? revoked : k)) }));
            changed();
          }}
        >
          <p>
            Requests with <code className="kw-code">{revoking.display}</code> will be refused at once, before its sunset. This cannot be undone.
          </p>
        </ConfirmDialog>
      ) : null}
    </Section>
  );
}
