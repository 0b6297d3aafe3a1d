// The raw API response, pretty-printed, with a copy button.

import { useState } from 'preact/hooks';

/** `value` as indented JSON in a focusable, scrollable block. */
export function JsonView({ value, label }: { value: unknown; label: string }) {
  const text = JSON.stringify(value, null, 2);
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      setCopied(false);
    }
  };
  return (
    <section class="json-view" aria-label={label}>
      <div class="json-tools">
        <span class="muted">{label}</span>
        <button type="button" class="small" onClick={copy}>{copied ? 'Copied' : 'Copy JSON'}</button>
      </div>
      <pre tabIndex={0}>{text}</pre>
    </section>
  );
}
