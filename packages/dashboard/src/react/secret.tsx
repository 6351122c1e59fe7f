import { useLayoutEffect, useId, useRef, useState } from 'react';

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
  const button = useRef<HTMLButtonElement>(null);
  // The form that was focused is gone: the next thing to do is to copy.
  useLayoutEffect(() => button.current?.focus(), []);

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
        <button ref={button} type="button" className="kw-button kw-button-primary" onClick={copy}>
          Copy
        </button>
      </div>
      <p className="kw-hint" role="status">
        {copied === 'yes' ? 'Copied to the clipboard.' : copied === 'failed' ? 'Could not copy: the key is selected, press Ctrl+C (⌘C).' : ''}
      </p>
    </div>
  );
}
