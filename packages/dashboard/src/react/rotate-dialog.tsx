import { type FormEvent, useState } from 'react';
import { useKeyward } from './context.js';
import { Dialog } from './dialog.js';
import { formatDateTime, formatPeriod } from './format.js';
import { NewKeyDialog } from './secret.js';
import { ChangeError } from './states.js';
import type { KeyView, RotatedKeyView, WorkspaceView } from './types.js';
import { useAction } from './use-action.js';

/** What happens to the old key with this grace period, in words. */
function periodLabel(seconds: number): string {
  if (seconds === 0) return 'None: the old key stops working now';
  return `${formatPeriod(seconds)}: both keys work until ${formatDateTime(new Date(Date.now() + seconds * 1000).toISOString())}`;
}

/** The rotate dialog: the grace choice, then the new key (shown once) and both keys' state. */
export function RotateKeyDialog({
  workspace,
  target,
  onRotated,
  onClose,
}: {
  workspace: WorkspaceView;
  target: KeyView;
  onRotated: (result: RotatedKeyView) => void;
  onClose: () => void;
}) {
  const { client, texts, changed } = useKeyward();
  const periods = workspace.catalogue.gracePeriods;
  const [grace, setGrace] = useState(periods[0]?.value ?? '0s');
  const { busy, error, run } = useAction();
  const [rotated, setRotated] = useState<RotatedKeyView | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      const result = await client.rotateKey(workspace.id, target.id, grace);
      setRotated(result);
      onRotated(result);
      changed();
    });
  };

  if (rotated !== null) {
    const old = rotated.previous;
    const oldState =
      old.status === 'active' && old.expiresAt !== null ? `Still works until ${formatDateTime(old.expiresAt)} (grace period)` : 'Stopped working';
    return (
      <NewKeyDialog title={`New key for “${rotated.record.name}”`} value={rotated.key} name={rotated.record.name} onClose={onClose}>
        <h3 className="kw-subheading">Both keys now</h3>
        <ul className="kw-pair" aria-label="Both keys now">
          <li>
            <span className="kw-badge kw-tone-warn">Old</span> <code className="kw-code">{old.display}</code> <span>{oldState}</span>
          </li>
          <li>
            <span className="kw-badge kw-tone-ok">New</span> <code className="kw-code">{rotated.record.display}</code> <span>Active</span>
          </li>
        </ul>
      </NewKeyDialog>
    );
  }

  return (
    <Dialog title={`${texts.rotate} “${target.name}”`} onClose={onClose}>
      <form className="kw-form" onSubmit={submit}>
        <p>
          A new key replaces <code className="kw-code">{target.display}</code>, with the same name and scopes. The new key is shown once.
        </p>
        <ChangeError error={error} />
        {periods.length > 1 ? (
          <fieldset className="kw-fieldset">
            <legend className="kw-label">Grace period for the old key</legend>
            <div className="kw-choices">
              {periods.map((p) => (
                <label key={p.value} className="kw-choice">
                  <input
                    type="radio"
                    name="kw-grace"
                    value={p.value}
                    checked={grace === p.value}
                    onChange={() => setGrace(p.value)}
                    {...(grace === p.value ? { 'data-autofocus': '' } : {})}
                  />
                  {periodLabel(p.seconds)}
                </label>
              ))}
            </div>
          </fieldset>
        ) : (
          <p>
            {periods[0] && periods[0].seconds > 0
              ? `The old key keeps working for ${formatPeriod(periods[0].seconds)}.`
              : 'The old key stops working at once.'}
          </p>
        )}
        <div className="kw-dialog-actions">
          <button type="button" className="kw-button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="kw-button kw-button-primary" disabled={busy}>
            {busy ? 'Working…' : `${texts.rotate} key`}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
