import { type ReactNode, useLayoutEffect, useId, useRef } from 'react';

/** Props of {@link Dialog}. */
export interface DialogProps {
  /** The dialog's heading, which is also its accessible name. */
  title: string;
  /** Called on Escape and by the dialog's own buttons: the owner unmounts the dialog. */
  onClose: () => void;
  /** `alert` for confirmations of something that cannot be undone. */
  role?: 'dialog' | 'alertdialog';
  children: ReactNode;
}

/**
 * A modal dialog on the platform's `<dialog>`: `showModal()` makes the rest of the page inert,
 * keeps focus inside and closes on Escape, with no focus-trap code of ours. It exists only while
 * it is open: closing unmounts it, and with it whatever it showed (a new key). Focus goes back to
 * the control that opened it.
 */
export function Dialog({ title, onClose, role = 'dialog', children }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const close = useRef(onClose);
  close.current = onClose;

  useLayoutEffect(() => {
    const dialog = ref.current;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (dialog !== null && !dialog.open) dialog.showModal();
    // React and Preact treat `autoFocus` differently (a focus() before the dialog is open, or an
    // attribute): a data attribute, focused here once the dialog is modal, works with both.
    dialog?.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    // Escape fires `cancel`: the owner decides (and unmounts), the browser does not close it behind React's back.
    const cancel = (event: Event) => {
      event.preventDefault();
      close.current();
    };
    dialog?.addEventListener('cancel', cancel);
    return () => {
      dialog?.removeEventListener('cancel', cancel);
      if (dialog?.open) dialog.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  return (
    <dialog ref={ref} className="kw-dialog" role={role === 'alertdialog' ? 'alertdialog' : undefined} aria-labelledby={titleId} aria-modal="true">
      <div className="kw-dialog-head">
        <h2 id={titleId} className="kw-dialog-title">
          {title}
        </h2>
        <button type="button" className="kw-icon-button" aria-label="Close" onClick={() => close.current()}>
          <span aria-hidden="true">×</span>
        </button>
      </div>
      {children}
    </dialog>
  );
}
