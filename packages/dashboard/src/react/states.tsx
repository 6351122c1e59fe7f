import type { DashboardApiError } from './client.js';

/** A read in progress: announced to screen readers, shown as a quiet line. */
export function Loading({ label }: { label: string }) {
  return (
    <p className="kw-loading" role="status">
      <span className="kw-spinner" aria-hidden="true" />
      {label}
    </p>
  );
}

/** What a failed read means for the person looking at the page, and what they can do about it. */
export function describeError(error: DashboardApiError, what: string): { title: string; detail: string } {
  if (error.status === 503 || error.status === 0 || error.status >= 500) {
    return {
      title: 'The key service is unavailable',
      detail: `${what} could not be loaded right now. Nothing has changed: your keys are as they were. Try again in a moment.`,
    };
  }
  if (error.status === 401) return { title: 'You are signed out', detail: 'Sign in again to manage API keys.' };
  if (error.status === 403) return { title: 'Not allowed', detail: error.message };
  if (error.status === 404) return { title: 'Not found', detail: 'This workspace does not exist, or you are not a member of it.' };
  if (error.status === 501) return { title: 'Not set up', detail: error.message };
  return { title: 'Something went wrong', detail: error.message };
}

/** A failed read: never an empty list that would lie ("no keys") when the service is down. */
export function ErrorState({ error, what, onRetry }: { error: DashboardApiError; what: string; onRetry?: () => void }) {
  const { title, detail } = describeError(error, what);
  return (
    <div className="kw-error" role="alert">
      <p className="kw-error-title">{title}</p>
      <p>{detail}</p>
      {onRetry && error.status !== 401 && error.status !== 403 && error.status !== 404 ? (
        <button type="button" className="kw-button" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

/** A failed change, shown where it was tried: an outage says that nothing happened. */
export function ChangeError({ error, unchanged = 'nothing was changed', id }: { error: DashboardApiError | null; unchanged?: string; id?: string }) {
  if (error === null) return null;
  return (
    <p id={id} className="kw-inline-error" role="alert">
      {changeErrorText(error, unchanged)}
    </p>
  );
}

/** The sentence of {@link ChangeError}. */
export function changeErrorText(error: DashboardApiError, unchanged = 'nothing was changed'): string {
  return error.unavailable ? `The key service is unavailable: ${unchanged}. Try again in a moment.` : error.message;
}
