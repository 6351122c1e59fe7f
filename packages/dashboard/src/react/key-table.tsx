import { useKeyward } from './context.js';
import { formatAgo, formatDate, formatDateTime, formatExpiry } from './format.js';
import { KeyName } from './key-name.js';
import { isLive, keyState } from './key-state.js';
import type { KeyView } from './types.js';
import { UsageChart, type UsageSeries } from './usage-chart.js';

/** What the person may do to a key from its row. */
export interface RowActions {
  readonly rename: boolean;
  readonly rotate: boolean;
  readonly revoke: boolean;
  readonly delete: boolean;
}

/** Props of {@link KeyTable}. */
export interface KeyTableProps {
  keys: readonly KeyView[];
  /** The table's accessible name. */
  label: string;
  allowed: RowActions;
  maxNameLength: number;
  /** The usage series of a key, when usage is shown. */
  usage: ((keyId: string) => UsageSeries) | null;
  onRenamed: (key: KeyView) => void;
  onAction: (action: 'rotate' | 'revoke' | 'delete', key: KeyView) => void;
  /** Legacy keys: no scopes shown, and the sunset in place of the expiry. */
  compact?: boolean;
}

/**
 * The key list: name (renamed in place), `prefix…last4`, environment and scopes, who created it
 * and when, last use, expiry, state (with the rotation partner in a grace period), usage, and
 * the actions the role allows — each button named after its key ("Revoke ci-deploy").
 */
export function KeyTable({ keys, label, allowed, maxNameLength, usage, onRenamed, onAction, compact = false }: KeyTableProps) {
  const { texts } = useKeyward();
  const anyAction = allowed.rotate || allowed.revoke || allowed.delete;
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a table that scrolls sideways on a narrow screen must be reachable by keyboard
    <section className="kw-table-wrap" tabIndex={0} aria-label={`${label} table`}>
      <table className="kw-table">
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">{compact ? 'Sunset' : 'Expires'}</th>
            <th scope="col">State</th>
            {usage !== null ? <th scope="col">Last 30 days</th> : null}
            {anyAction ? (
              <th scope="col">
                <span className="kw-sr-only">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => {
            const state = keyState(key, keys);
            const live = isLive(key);
            return (
              <tr key={key.id} className={live ? undefined : 'kw-row-off'}>
                <td>
                  <KeyName item={key} maxLength={maxNameLength} editable={allowed.rename && live && !key.legacy} onRenamed={onRenamed} />
                  <div className="kw-key-line">
                    <code className="kw-code kw-display">{key.display}</code>
                    {key.environment !== null ? <span className="kw-badge kw-tone-env">{key.environment}</span> : null}
                  </div>
                  {compact ? null : key.scopes.length === 0 ? (
                    <span className="kw-muted kw-small">no scopes</span>
                  ) : (
                    <ul className="kw-scopes" aria-label="Scopes">
                      {key.scopes.map((s) => (
                        <li key={s}>
                          <code className="kw-code">{s}</code>
                        </li>
                      ))}
                    </ul>
                  )}
                </td>
                <td>
                  <span className="kw-nowrap">{formatDate(key.createdAt)}</span>
                  {key.createdBy !== null ? <span className="kw-muted kw-block kw-small">by {key.createdBy.name ?? key.createdBy.id}</span> : null}
                </td>
                <td>
                  {key.lastUsedAt !== null ? (
                    <time className="kw-nowrap" dateTime={key.lastUsedAt} title={formatDateTime(key.lastUsedAt)}>
                      {formatAgo(key.lastUsedAt)}
                    </time>
                  ) : (
                    <span className="kw-muted">Never</span>
                  )}
                </td>
                <td>
                  {key.legacy && key.sunsetAt !== null ? (
                    <time className="kw-nowrap" dateTime={key.sunsetAt}>
                      {formatDate(key.sunsetAt)}
                    </time>
                  ) : key.expiresAt !== null ? (
                    <time className="kw-nowrap" dateTime={key.expiresAt} title={formatDateTime(key.expiresAt)}>
                      {formatExpiry(key.expiresAt)}
                    </time>
                  ) : (
                    <span className="kw-muted">Never</span>
                  )}
                </td>
                <td>
                  <span className={`kw-badge kw-tone-${state.tone}`}>{state.label}</span>
                  {state.detail !== null ? <span className="kw-muted kw-block kw-state-detail">{state.detail}</span> : null}
                </td>
                {usage !== null ? (
                  <td>
                    <UsageChart series={usage(key.id)} label={`Usage of ${key.name}`} />
                  </td>
                ) : null}
                {anyAction ? (
                  <td className="kw-actions">
                    {allowed.rotate && live && key.rotatedToId === null && !key.legacy ? (
                      <RowAction verb={texts.rotate} item={key} onClick={() => onAction('rotate', key)} />
                    ) : null}
                    {allowed.revoke && key.status !== 'revoked' && key.status !== 'expired' ? (
                      <RowAction verb={texts.revoke} item={key} danger onClick={() => onAction('revoke', key)} />
                    ) : null}
                    {allowed.delete && !key.legacy ? (
                      <RowAction verb={texts.delete} item={key} danger onClick={() => onAction('delete', key)} />
                    ) : null}
                  </td>
                ) : null}
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

/** A row's button, named after the key it acts on ("Revoke ci-deploy, acme_live_…3f9Q"). */
function RowAction({ verb, item, danger = false, onClick }: { verb: string; item: KeyView; danger?: boolean; onClick: () => void }) {
  return (
    <button
      type="button"
      className={danger ? 'kw-button kw-button-small kw-button-danger-quiet' : 'kw-button kw-button-small'}
      aria-label={`${verb} ${item.name}, ${item.display}`}
      onClick={onClick}
    >
      {verb}
    </button>
  );
}
