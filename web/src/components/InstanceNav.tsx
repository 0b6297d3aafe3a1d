// The sections of one instance.

import { Link, paths } from '../router';

/** Links to the overview, add and search pages of an instance, the current one marked. */
export function InstanceNav({ name, current }: { name: string; current: 'overview' | 'add' | 'search' }) {
  const item = (key: typeof current, href: string, label: string) => (
    <li><Link href={href} aria-current={current === key ? 'page' : undefined}>{label}</Link></li>
  );
  return (
    <nav class="instance-nav" aria-label={`Instance ${name}`}>
      <ul>
        {item('overview', paths.instance(name), 'Overview & images')}
        {item('add', paths.add(name), 'Add images')}
        {item('search', paths.search(name), 'Search by picture')}
      </ul>
    </nav>
  );
}
