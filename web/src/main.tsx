// The console's entry: sign in when the server needs a key, then pick the page for the current
// path and render it.

import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { AUTH_REQUIRED_EVENT, ApiError, fetchSession, type Session } from './api/client';
import { Layout, SessionContext } from './components/Layout';
import { LoginPage } from './pages/LoginPage';
import { AddImagesPage } from './pages/AddImagesPage';
import { ImagePage } from './pages/ImagePage';
import { InstancePage } from './pages/InstancePage';
import { InstancesPage } from './pages/InstancesPage';
import { SearchPage } from './pages/SearchPage';
import { Link, matchRoute, useLocation } from './router';
import './styles.css';

/** The session gate: checking, the login screen, or the console with the session it runs under. */
function Root() {
  const [state, setState] = useState<{ session?: Session; login?: ApiError; failed?: unknown }>({});
  useEffect(() => {
    fetchSession().then(
      (session) => setState({ session }),
      (err: unknown) => setState(err instanceof ApiError && err.status === 401 ? { login: err } : { failed: err }),
    );
    // A key revoked or mistyped later sends the console back to the login screen.
    const onAuth = (e: Event) => setState({ login: (e as CustomEvent<ApiError>).detail });
    window.addEventListener(AUTH_REQUIRED_EVENT, onAuth);
    return () => window.removeEventListener(AUTH_REQUIRED_EVENT, onAuth);
  }, []);
  if (state.login) return <LoginPage reason={state.login} onSignedIn={(session) => setState({ session })} />;
  if (!state.session && !state.failed) return <p class="loading" aria-live="polite">Loading…</p>;
  return (
    <SessionContext.Provider value={state.session}>
      <App />
    </SessionContext.Provider>
  );
}

function App() {
  const { path } = useLocation();
  const route = matchRoute(path);
  switch (route.page) {
    case 'instances': return <InstancesPage />;
    case 'instance': return <InstancePage key={route.name} name={route.name} />;
    case 'add': return <AddImagesPage key={route.name} name={route.name} />;
    case 'search': return <SearchPage key={route.name} name={route.name} />;
    case 'image': return <ImagePage key={`${route.name}/${route.productId}/${route.picName}`} {...route} />;
    case 'not-found': return (
      <Layout title="Page not found">
        <p>There is no console page at <code>{path}</code>. <Link href="/">Go to the instances</Link>.</p>
      </Layout>
    );
  }
}

render(<Root />, document.getElementById('app')!);
