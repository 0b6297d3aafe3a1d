// The page frame: skip link, header with the way home and the signed-in key, breadcrumbs, and the
// main region whose heading takes focus after each navigation (so screen readers announce it).

import { createContext, type ComponentChildren } from 'preact';
import { useContext, useEffect, useRef } from 'preact/hooks';
import { setAccessKey, type Session } from '../api/client';
import { Link } from '../router';

/** The session the console runs under (undefined when the server could not be asked). */
export const SessionContext = createContext<Session | undefined>(undefined);

/** One step of the breadcrumb trail; the last one has no link. */
export interface Crumb {
  href?: string;
  label: string;
}

/** The signed-in key and a way to sign out; nothing on an open (loopback, key-less) server. */
function SignedIn() {
  const session = useContext(SessionContext);
  if (!session || session.open) return null;
  const scope = [session.instances ? `instances ${session.instances.join(', ')}` : '', session.readOnly ? 'read-only' : ''].filter(Boolean).join('; ');
  return (
    <div class="signed-in">
      <span>Key <code data-testid="key-id">{session.keyId}</code>{scope && <span class="hint"> ({scope})</span>}</span>
      <button
        type="button" class="small"
        onClick={() => {
          setAccessKey('');
          location.assign('/');
        }}
      >Sign out</button>
    </div>
  );
}

/** The frame of every page, with `title` as its h1 and document title. */
export function Layout({ title, crumbs = [], children, actions }: { title: string; crumbs?: Crumb[]; children: ComponentChildren; actions?: ComponentChildren }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · tusou`;
  }, [title]);
  useEffect(() => {
    // After a navigation (not the first load), move focus to the new page's heading.
    if (document.activeElement && document.activeElement !== document.body) heading.current?.focus({ preventScroll: false });
  }, [title]);
  return (
    <>
      <a class="skip-link" href="#main">Skip to content</a>
      <header class="top">
        <Link href="/" class="brand"><img src="/favicon.svg" alt="" width={24} height={24} /> tusou <span lang="zh">图搜</span></Link>
        <nav aria-label="Main" class="top-nav">
          <Link href="/">Instances</Link>
          <a href="/api/v1/openapi.json">API</a>
        </nav>
        <SignedIn />
      </header>
      <main id="main">
        {crumbs.length > 0 && (
          <nav aria-label="Breadcrumb" class="crumbs">
            <ol>
              {crumbs.map((c, i) => (
                <li key={i}>{c.href ? <Link href={c.href}>{c.label}</Link> : <span aria-current="page">{c.label}</span>}</li>
              ))}
            </ol>
          </nav>
        )}
        <div class="page-head">
          <h1 ref={heading} tabIndex={-1}>{title}</h1>
          {actions && <div class="page-actions">{actions}</div>}
        </div>
        {children}
      </main>
    </>
  );
}
