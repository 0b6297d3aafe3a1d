// An API failure shown plainly: what went wrong (the server's message), its stable code, and the
// request id to find it in the server log.

import { ApiError } from '../api/client';

/** An alert with the error's message, code, HTTP status and request id (nothing when there is no error). */
export function ErrorBox({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const e = error instanceof ApiError ? error : new ApiError(0, 'CLIENT', error instanceof Error ? error.message : String(error));
  return (
    <div class="error-box" role="alert">
      <p class="error-title">{title ?? 'That did not work'}</p>
      <p class="error-message">{e.message}</p>
      <p class="error-meta">
        <code class="error-code">{e.code}</code>
        {e.status > 0 && <span> · HTTP {e.status}</span>}
        {e.requestId && <span> · request <code>{e.requestId}</code></span>}
      </p>
      {e.code === 'AUTH_FORBIDDEN' && <p>The access key you signed in with does not allow this.</p>}
    </div>
  );
}
