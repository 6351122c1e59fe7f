import type { ReactNode } from 'react';
import { Dialog } from './dialog.js';
import { ChangeError } from './states.js';
import { useAction } from './use-action.js';

/**
 * "Revoke key “ci”?": a confirmation that names the key, with the consequence in one sentence.
 * Focus starts on Cancel, so that Enter does not destroy anything by accident.
 */
export function ConfirmDialog({
  title,
  action,
  children,
  onConfirm,
  onClose,
}: {
  title: string;
  /** The confirming button's text: "Revoke key". */
  action: string;
  children: ReactNode;
  onConfirm: () => Promise<void>;
  onClose: () => void;
}) {
  const { busy, error, run } = useAction();
  const confirm = async () => {
    if (await run(onConfirm)) onClose();
  };
  return (
    <Dialog title={title} onClose={onClose} role="alertdialog">
      <div className="kw-form">
        {children}
        <ChangeError error={error} />
        <div className="kw-dialog-actions">
          <button type="button" className="kw-button" onClick={onClose} data-autofocus="">
            Cancel
          </button>
          <button type="button" className="kw-button kw-button-danger" onClick={confirm} disabled={busy}>
            {busy ? 'Working…' : action}
          </button>
        </div>
      </div>
    </Dialog>
  );
}
