import { type FormEvent, type KeyboardEvent, useLayoutEffect, useId, useRef, useState } from 'react';
import { useKeyward } from './context.js';
import { changeErrorText } from './states.js';
import type { KeyView } from './types.js';
import { useAction } from './use-action.js';

/**
 * A key's name, renamed in place: the Rename button turns it into a field (Enter saves, Escape
 * cancels, focus comes back to the button either way).
 */
export function KeyName({
  item,
  maxLength,
  editable,
  onRenamed,
}: {
  item: KeyView;
  maxLength: number;
  editable: boolean;
  onRenamed: (key: KeyView) => void;
}) {
  const { client, texts, workspaceId, changed } = useKeyward();
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState(item.name);
  const { busy, error, run, clear } = useAction();
  const input = useRef<HTMLInputElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const refocus = useRef(false);
  const errorId = useId();

  useLayoutEffect(() => {
    if (editing) {
      input.current?.focus();
      input.current?.select();
    } else if (refocus.current) {
      refocus.current = false;
      button.current?.focus();
    }
  }, [editing]);

  const stop = () => {
    refocus.current = true;
    setEditing(false);
    clear();
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (workspaceId === null) return;
    if (value.trim() === item.name) return stop();
    const saved = await run(async () => {
      const renamed = await client.renameKey(workspaceId, item.id, value);
      onRenamed(renamed);
      changed();
    });
    if (saved) stop();
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      stop();
    }
  };

  if (!editing) {
    return (
      <div className="kw-name">
        <span className="kw-name-text">{item.name}</span>
        {editable ? (
          <button
            ref={button}
            type="button"
            className="kw-link-button"
            aria-label={`${texts.rename} ${item.name}, ${item.display}`}
            onClick={() => {
              setValue(item.name);
              setEditing(true);
            }}
          >
            {texts.rename}
          </button>
        ) : null}
      </div>
    );
  }
  const detail =
    error === null ? null : error.unavailable ? changeErrorText(error, 'the name was not changed') : (error.errors[0]?.detail ?? error.message);
  return (
    <form className="kw-rename" onSubmit={save} onKeyDown={onKeyDown}>
      <input
        ref={input}
        className="kw-input kw-input-small"
        value={value}
        maxLength={maxLength}
        aria-label={`New name for ${item.name}, ${item.display}`}
        aria-invalid={error !== null}
        {...(detail !== null ? { 'aria-describedby': errorId } : {})}
        onChange={(event) => setValue(event.currentTarget.value)}
      />
      <button type="submit" className="kw-button kw-button-small kw-button-primary" disabled={busy}>
        Save
      </button>
      <button type="button" className="kw-button kw-button-small" onClick={stop}>
        Cancel
      </button>
      {detail !== null ? (
        <p id={errorId} className="kw-field-error" role="alert">
          {detail}
        </p>
      ) : null}
    </form>
  );
}
