import { type FormEvent, useId, useState } from 'react';
import type { DashboardApiError } from './client.js';
import { useKeyward } from './context.js';
import { Dialog } from './dialog.js';
import { daysFromNow } from './format.js';
import { NewKeyDialog } from './secret.js';
import { ChangeError } from './states.js';
import type { CreatedKeyView, KeyView, WorkspaceView } from './types.js';
import { useAction } from './use-action.js';

const EXPIRIES: readonly { label: string; days: number | null }[] = [
  { label: 'Never', days: null },
  { label: 'In 7 days', days: 7 },
  { label: 'In 30 days', days: 30 },
  { label: 'In 90 days', days: 90 },
  { label: 'In 1 year', days: 365 },
];

const fieldError = (error: DashboardApiError | null, pointer: string) => error?.errors.find((e) => e.pointer === pointer)?.detail ?? null;

/** The create dialog: a form, then the new key, shown once. */
export function CreateKeyDialog({
  workspace,
  onCreated,
  onClose,
}: {
  workspace: WorkspaceView;
  onCreated: (key: KeyView) => void;
  onClose: () => void;
}) {
  const { client, texts, changed } = useKeyward();
  const { catalogue, limits } = workspace;
  const [name, setName] = useState('');
  const [environment, setEnvironment] = useState(catalogue.environments[0] ?? '');
  const [scopes, setScopes] = useState<readonly string[]>(catalogue.defaultScopes ?? []);
  const [expiry, setExpiry] = useState(0);
  const { busy, error, run } = useAction();
  const [created, setCreated] = useState<CreatedKeyView | null>(null);
  const ids = { name: useId(), nameHint: useId(), nameError: useId(), expiry: useId() };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const days = EXPIRIES[expiry]!.days;
    void run(async () => {
      const result = await client.createKey(workspace.id, {
        name,
        ...(catalogue.environments.length > 0 ? { environment } : {}),
        scopes,
        expiresAt: days === null ? null : daysFromNow(days),
      });
      setCreated(result);
      onCreated(result.record);
      changed();
    });
  };

  if (created !== null) {
    return <NewKeyDialog title="Your new API key" value={created.key} name={created.record.name} onClose={onClose} />;
  }

  const nameError = fieldError(error, '/name');
  return (
    <Dialog title={texts.createKey} onClose={onClose}>
      <form className="kw-form" onSubmit={submit} noValidate>
        <ChangeError error={nameError === null ? error : null} unchanged="no key was created" />
        <div className="kw-field">
          <label className="kw-label" htmlFor={ids.name}>
            Name
          </label>
          <input
            id={ids.name}
            className="kw-input"
            value={name}
            maxLength={limits.maxNameLength}
            required
            autoComplete="off"
            data-autofocus=""
            aria-invalid={nameError !== null}
            aria-describedby={nameError !== null ? `${ids.nameHint} ${ids.nameError}` : ids.nameHint}
            onChange={(event) => setName(event.currentTarget.value)}
          />
          <p id={ids.nameHint} className="kw-hint">
            Where the key is used, so you recognise it later: “prod-billing-worker”.
          </p>
          {nameError !== null ? (
            <p id={ids.nameError} className="kw-field-error">
              {nameError}
            </p>
          ) : null}
        </div>
        {catalogue.environments.length > 1 ? (
          <fieldset className="kw-fieldset">
            <legend className="kw-label">Environment</legend>
            <div className="kw-choices kw-choices-inline">
              {catalogue.environments.map((env) => (
                <label key={env} className="kw-choice">
                  <input type="radio" name="kw-environment" value={env} checked={environment === env} onChange={() => setEnvironment(env)} />
                  {env}
                </label>
              ))}
            </div>
          </fieldset>
        ) : null}
        {catalogue.scopes.length > 0 ? (
          <fieldset className="kw-fieldset">
            <legend className="kw-label">Scopes</legend>
            <div className="kw-choices">
              {catalogue.scopes.map((scope) => (
                <label key={scope.name} className="kw-choice">
                  <input
                    type="checkbox"
                    checked={scopes.includes(scope.name)}
                    onChange={(event) => {
                      const on = event.currentTarget.checked;
                      setScopes((s) => (on ? [...s, scope.name] : s.filter((n) => n !== scope.name)));
                    }}
                  />
                  <span>
                    <code className="kw-code">{scope.name}</code>
                    {scope.description ? <span className="kw-muted"> — {scope.description}</span> : null}
                  </span>
                </label>
              ))}
            </div>
          </fieldset>
        ) : null}
        <div className="kw-field">
          <label className="kw-label" htmlFor={ids.expiry}>
            Expires
          </label>
          <select id={ids.expiry} className="kw-select" value={expiry} onChange={(event) => setExpiry(Number(event.currentTarget.value))}>
            {EXPIRIES.map((option, i) => (
              <option key={option.label} value={i}>
                {option.label}
              </option>
            ))}
          </select>
        </div>
        <div className="kw-dialog-actions">
          <button type="button" className="kw-button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="kw-button kw-button-primary" disabled={busy}>
            {busy ? 'Creating…' : texts.createKey}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
