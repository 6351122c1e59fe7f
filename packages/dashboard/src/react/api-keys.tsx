import { useState } from 'react';
import { ConfirmDialog } from './confirm-dialog.js';
import { useKeyward } from './context.js';
import { CreateKeyDialog } from './create-dialog.js';
import { KeyTable } from './key-table.js';
import { RotateKeyDialog } from './rotate-dialog.js';
import { Section } from './section.js';
import { ErrorState, Loading } from './states.js';
import type { KeyView, PageView } from './types.js';
import { useResource } from './use-resource.js';
import { seriesByKey } from './usage-chart.js';

type Open = { kind: 'create' } | { kind: 'rotate' | 'revoke' | 'delete'; key: KeyView } | null;

const upsert = (page: PageView<KeyView>, keys: readonly KeyView[]): PageView<KeyView> => {
  const byId = new Map(keys.map((k) => [k.id, k]));
  const kept = page.items.map((k) => byId.get(k.id) ?? k);
  const added = keys.filter((k) => !page.items.some((p) => p.id === k.id));
  return { ...page, items: [...added, ...kept] };
};

/**
 * The workspace's keys: the list with its states (loading, empty, unavailable), and create,
 * rename, rotate, revoke and delete for the roles that may. A member sees the list only.
 */
export function ApiKeys() {
  const { client, texts, workspaceId, workspace, can, revision, changed } = useKeyward();
  const info = workspace.data;
  const ready = info !== undefined && workspaceId !== null;
  const keys = useResource(ready && can('keys:read') ? () => client.listKeys(workspaceId, { limit: 100 }) : null, `${workspaceId}|${ready}`);
  const showUsage = ready && can('usage:read');
  const usage = useResource(showUsage ? () => client.usage(workspaceId) : null, `${workspaceId}|${showUsage}`, revision);
  const [open, setOpen] = useState<Open>(null);
  const [announcement, setAnnouncement] = useState('');
  const [more, setMore] = useState(false);

  if (workspace.status === 'loading') return <Loading label="Loading the workspace…" />;
  if (workspace.error !== null && info === undefined) return <ErrorState error={workspace.error} what="The workspace" onRetry={workspace.reload} />;
  if (!ready) return null;
  if (!can('keys:read')) {
    return (
      <Section title={texts.keysHeading}>
        <p className="kw-empty">Only this workspace's owners and admins can see and manage its keys.</p>
      </Section>
    );
  }

  const allowed = { rename: can('keys:update'), rotate: can('keys:rotate'), revoke: can('keys:revoke'), delete: can('keys:delete') };
  const manager = can('keys:create') || allowed.rename || allowed.rotate || allowed.revoke || allowed.delete;
  // Newest first, whatever order the store lists them in.
  const items = [...(keys.data?.items ?? [])].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const show = (changed: readonly KeyView[]) => keys.update((page) => upsert(page, changed));
  const close = () => setOpen(null);

  const loadMore = async () => {
    const cursor = keys.data?.nextCursor;
    if (!cursor || more) return;
    setMore(true);
    try {
      const next = await client.listKeys(workspaceId, { limit: 100, cursor });
      keys.update((page) => ({
        items: [...page.items, ...next.items.filter((k) => !page.items.some((p) => p.id === k.id))],
        nextCursor: next.nextCursor,
      }));
    } catch {
      keys.reload();
    } finally {
      setMore(false);
    }
  };

  return (
    <Section
      title={texts.keysHeading}
      aside={
        can('keys:create') ? (
          <button type="button" className="kw-button kw-button-primary" onClick={() => setOpen({ kind: 'create' })}>
            {texts.createKey}
          </button>
        ) : null
      }
    >
      {!manager ? <p className="kw-muted kw-note">You can see this workspace's keys. Only its owners and admins can create or change them.</p> : null}
      <p className="kw-sr-only" role="status">
        {announcement}
      </p>
      {keys.status === 'loading' ? <Loading label="Loading keys…" /> : null}
      {keys.status === 'error' && keys.error !== null ? <ErrorState error={keys.error} what="The keys" onRetry={keys.reload} /> : null}
      {keys.status === 'ready' && items.length === 0 ? (
        <div className="kw-empty">
          <p>{texts.empty}</p>
        </div>
      ) : null}
      {keys.status === 'ready' && items.length > 0 ? (
        <KeyTable
          keys={items}
          label={texts.keysHeading}
          allowed={allowed}
          maxNameLength={info.limits.maxNameLength}
          usage={usage.data !== undefined ? seriesByKey(usage.data) : null}
          onRenamed={(key) => {
            show([key]);
            setAnnouncement(`Renamed to “${key.name}”.`);
          }}
          onAction={(kind, key) => setOpen({ kind, key })}
        />
      ) : null}
      {keys.data?.nextCursor ? (
        <button type="button" className="kw-button kw-more" onClick={loadMore} disabled={more}>
          {more ? 'Loading…' : 'Show more keys'}
        </button>
      ) : null}
      {open?.kind === 'create' ? (
        <CreateKeyDialog
          workspace={info}
          onCreated={(key) => {
            show([key]);
            setAnnouncement(`Key “${key.name}” created.`);
          }}
          onClose={close}
        />
      ) : null}
      {open?.kind === 'rotate' ? (
        <RotateKeyDialog
          workspace={info}
          target={open.key}
          onRotated={(result) => {
            show([result.record, result.previous]);
            setAnnouncement(`A new key replaces ${result.previous.display}.`);
          }}
          onClose={close}
        />
      ) : null}
      {open?.kind === 'revoke' || open?.kind === 'delete' ? (
        <ConfirmDialog
          title={`${texts[open.kind]} key “${open.key.name}”?`}
          action={`${texts[open.kind]} key`}
          onClose={close}
          onConfirm={() => (open.kind === 'revoke' ? revoke(open.key) : remove(open.key))}
        >
          <p>
            {open.kind === 'revoke' ? 'Requests with ' : null}
            <code className="kw-code">{open.key.display}</code>
            {open.kind === 'revoke'
              ? ' will be refused at once. This cannot be undone.'
              : ' is removed from this list for good, and requests with it are refused. Its audit events are kept.'}
          </p>
        </ConfirmDialog>
      ) : null}
    </Section>
  );

  async function revoke(key: KeyView) {
    const revoked = await client.revokeKey(workspaceId!, key.id);
    show([revoked]);
    setAnnouncement(`Key “${key.name}” revoked.`);
    changed();
  }

  async function remove(key: KeyView) {
    await client.deleteKey(workspaceId!, key.id);
    keys.update((page) => ({ ...page, items: page.items.filter((k) => k.id !== key.id) }));
    setAnnouncement(`Key “${key.name}” deleted.`);
    changed();
  }
}
