import { type ReactNode, useId, useRef, useState } from 'react';
import { Dialog } from './dialog.js';

/**
 * A new key, shown once: in a read-only field, with a Copy button and a plain warning. It lives in
 * this component's props only — never in storage, the URL or the console — and disappears with the
 * dialog that holds it.
 */
export function SecretKey({ value, name }: { value: string; name: string }) {
  const input = useRef<HTMLInputElement>(null);
  const warningId = useId();
  const fieldId = useId();
  const [copied, setCopied] = useState<'no' | 'yes' | 'failed'>('no');

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('yes');
    } catch {
      // No clipboard (an insecure origin, a denied permission): select it for Ctrl+C instead.
      input.current?.select();
      setCopied('failed');
    }
  };

  return (
    <div className="kw-secret">
      <p id={warningId} className="kw-warning">
        <strong>Copy this key now. You won't see it again.</strong> Only a hash of it is kept: if you lose it, rotate it or create another one.
      </p>
      <label className="kw-label" htmlFor={fieldId}>
        API key for “{name}”
      </label>
      <div className="kw-secret-row">
        <input
          ref={input}
          id={fieldId}
          className="kw-input kw-secret-value"
          readOnly
          value={value}
          autoComplete="off"
          spellCheck={false}
          aria-describedby={warningId}
          onFocus={(event) => event.currentTarget.select()}
        />
        {/* The form that had the focus is gone: the next thing to do is to copy (the dialog focuses this). */}
        <button type="button" className="kw-button kw-button-primary" onClick={copy} data-autofocus="">
          Copy
        </button>
      </div>
      <p className="kw-hint" role="status">
        {copied === 'yes' ? 'Copied to the clipboard.' : copied === 'failed' ? 'Could not copy: the key is selected, press Ctrl+C (⌘C).' : ''}
      </p>
    </div>
  );
}

/** The dialog that shows a new key (created or rotated) once, with more to say below it, and Done. */
export function NewKeyDialog({
  title,
  value,
  name,
  onClose,
  children,
}: {
  title: string;
  value: string;
  name: string;
  onClose: () => void;
  children?: ReactNode;
}) {
  return (
    <Dialog title={title} onClose={onClose}>
      <SecretKey value={value} name={name} />
      {children}
      <div className="kw-dialog-actions">
        <button type="button" className="kw-button" onClick={onClose}>
          Done
        </button>
      </div>
    </Dialog>
  );
}
