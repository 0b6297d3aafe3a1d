// The login screen of a server that needs an access key: key id and secret, checked against
// /api/v1/session, then kept for this browser tab only (sessionStorage) and sent as
// `Authorization: Bearer <id>:<secret>` with every request.

import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, fetchSession, setAccessKey, type Session } from '../api/client';
import { ErrorBox } from '../components/ErrorBox';

/** The sign-in form; `onSignedIn` gets the session once the server accepted the key. */
export function LoginPage({ reason, onSignedIn }: { reason?: ApiError; onSignedIn: (s: Session) => void }) {
  const [id, setId] = useState('');
  const [secret, setSecret] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(reason && reason.code !== 'AUTH_REQUIRED' ? reason : undefined);
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => {
    document.title = 'Sign in · tusou';
    first.current?.focus();
  }, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setAccessKey(`${id.trim()}:${secret.trim()}`);
    try {
      onSignedIn(await fetchSession());
    } catch (err) {
      setAccessKey('');
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" class="login">
      <form class="panel login-form" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title"><img src="/favicon.svg" alt="" width={28} height={28} /> tusou <span lang="zh">图搜</span></h1>
        <p>This server needs an access key. Create one with <code>tusou keys create</code>; the secret is kept for this browser tab only.</p>
        <div class="field">
          <label for="key-id">Access key ID</label>
          <input id="key-id" name="keyId" required autoComplete="username" spellcheck={false} value={id} ref={first} onInput={(e) => setId(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="key-secret">Access key secret</label>
          <input id="key-secret" name="keySecret" type="password" required autoComplete="current-password" value={secret} onInput={(e) => setSecret(e.currentTarget.value)} />
        </div>
        <ErrorBox error={error} title="The server did not accept this key" />
        <div class="button-row">
          <button type="submit" class="primary" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
        </div>
      </form>
    </main>
  );
}
