import { type ReactNode, useState } from 'react';
import { DashboardApiError } from './client.js';
import { Dialog } from './dialog.js';

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
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<DashboardApiError | null>(null);
  const confirm = async () => {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      onClose();
    } catch (e) {
      setError(e instanceof DashboardApiError ? e : new DashboardApiError(0, 'client_error', 'the change failed'));
      setBusy(false);
    }
  };
  return (
    <Dialog title={title} onClose={onClose} role="alertdialog">
      <div className="kw-form">
        {children}
        {error !== null ? (
          <p className="kw-inline-error" role="alert">
            {error.unavailable ? 'The key service is unavailable: nothing was changed. Try again in a moment.' : error.message}
          </p>
        ) : null}
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
