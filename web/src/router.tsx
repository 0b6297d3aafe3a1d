// A small history router: the server answers index.html for every console path, the app picks
// the page from location.pathname. Links are real <a href>, so they work with keyboard and new tabs.

import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';

const EVENT = 'tusou:navigate';

/** Go to a console path (pushes a history entry unless `replace`). */
export function navigate(to: string, replace = false): void {
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  window.dispatchEvent(new Event(EVENT));
}

export interface Location {
  path: string;
  query: URLSearchParams;
}

const current = (): Location => ({ path: location.pathname, query: new URLSearchParams(location.search) });

/** The current location; re-renders on navigation and on back/forward. */
export function useLocation(): Location {
  const [loc, setLoc] = useState(current);
  useEffect(() => {
    const update = () => setLoc(current());
    window.addEventListener('popstate', update);
    window.addEventListener(EVENT, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(EVENT, update);
    };
  }, []);
  return loc;
}

interface AnchorProps {
  href: string;
  children?: ComponentChildren;
  class?: string;
  'aria-current'?: 'page';
}

/** An <a> that navigates inside the app on a plain click; modified clicks keep the browser's behaviour. */
export function Link({ href, children, ...rest }: AnchorProps) {
  const onClick = (e: MouseEvent) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
  };
  return <a href={href} onClick={onClick} {...rest}>{children}</a>;
}

export type Route =
  | { page: 'instances' }
  | { page: 'instance'; name: string }
  | { page: 'add'; name: string }
  | { page: 'search'; name: string }
  | { page: 'image'; name: string; productId: string; picName: string }
  | { page: 'not-found' };

const dec = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** The page for a path. */
export function matchRoute(path: string): Route {
  const parts = path.split('/').filter(Boolean).map(dec);
  if (parts.length === 0) return { page: 'instances' };
  if (parts[0] !== 'instances' || parts.length < 2) return { page: 'not-found' };
  const name = parts[1];
  if (parts.length === 2) return { page: 'instance', name };
  if (parts.length === 3 && parts[2] === 'add') return { page: 'add', name };
  if (parts.length === 3 && parts[2] === 'search') return { page: 'search', name };
  if (parts.length === 5 && parts[2] === 'images') return { page: 'image', name, productId: parts[3], picName: parts[4] };
  return { page: 'not-found' };
}

const enc = encodeURIComponent;

/** Console paths. */
export const paths = {
  instances: '/',
  instance: (name: string) => `/instances/${enc(name)}`,
  add: (name: string) => `/instances/${enc(name)}/add`,
  search: (name: string) => `/instances/${enc(name)}/search`,
  image: (name: string, productId: string, picName: string) => `/instances/${enc(name)}/images/${enc(productId)}/${enc(picName)}`,
};
