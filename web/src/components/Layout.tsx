// The page frame: skip link, header with the way home and the access key, breadcrumbs, and the
// main region whose heading takes focus after each navigation (so screen readers announce it).

import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { getAccessKey, setAccessKey } from '../api/client';
import { Link } from '../router';

/** One step of the breadcrumb trail; the last one has no link. */
export interface Crumb {
  href?: string;
  label: string;
}

function AccessKey() {
  const [value, setValue] = useState(getAccessKey());
  const [saved, setSaved] = useState(false);
  return (
    <details class="access-key">
      <summary>Access key{getAccessKey() ? ' ✓' : ''}</summary>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setAccessKey(value.trim());
          setSaved(true);
          location.reload();
        }}
      >
        <label for="access-key">ID:secret (only for servers started with an access key; kept for this tab)</label>
        <input id="access-key" type="password" autoComplete="off" value={value} onInput={(e) => { setValue(e.currentTarget.value); setSaved(false); }} />
        <button type="submit">{saved ? 'Saved' : 'Use key'}</button>
      </form>
    </details>
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
        <AccessKey />
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
