import { useId } from 'react';
import { useKeyward } from './context.js';

/** A choice of workspace, when the principal has several (from your `authorize`'s `workspaces`). */
export function WorkspaceSwitcher() {
  const { me, workspaceId, selectWorkspace } = useKeyward();
  const id = useId();
  const workspaces = me.data?.workspaces ?? [];
  if (workspaces.length < 2) return null;
  return (
    <div className="kw-switcher">
      <label className="kw-label" htmlFor={id}>
        Workspace
      </label>
      <select id={id} className="kw-select" value={workspaceId ?? ''} onChange={(event) => selectWorkspace(event.currentTarget.value)}>
        {workspaces.map((w) => (
          <option key={w.id} value={w.id}>
            {w.name ?? w.id} ({w.role})
          </option>
        ))}
      </select>
    </div>
  );
}
