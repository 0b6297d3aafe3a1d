// Visual / JSON / side-by-side: how a response is shown. A tab list (arrow keys move between tabs).

/** How a response is shown. */
export type ViewMode = 'visual' | 'json' | 'both';

const MODES: { mode: ViewMode; label: string }[] = [
  { mode: 'visual', label: 'Visual' },
  { mode: 'json', label: 'JSON' },
  { mode: 'both', label: 'Side by side' },
];

/** Tabs choosing the view of the panel `controls`. */
export function ViewSwitch({ mode, onChange, controls }: { mode: ViewMode; onChange: (m: ViewMode) => void; controls: string }) {
  const onKeyDown = (e: KeyboardEvent) => {
    const i = MODES.findIndex((m) => m.mode === mode);
    let next = -1;
    if (e.key === 'ArrowRight') next = (i + 1) % MODES.length;
    if (e.key === 'ArrowLeft') next = (i + MODES.length - 1) % MODES.length;
    if (next < 0) return;
    e.preventDefault();
    onChange(MODES[next].mode);
    const tabs = (e.currentTarget as HTMLElement).querySelectorAll<HTMLButtonElement>('[role=tab]');
    tabs[next]?.focus();
  };
  return (
    <div class="view-switch" role="tablist" aria-label="How to show the response" onKeyDown={onKeyDown}>
      {MODES.map((m) => (
        <button
          key={m.mode}
          type="button"
          role="tab"
          id={`${controls}-tab-${m.mode}`}
          aria-selected={mode === m.mode}
          aria-controls={controls}
          tabIndex={mode === m.mode ? 0 : -1}
          onClick={() => onChange(m.mode)}
        >
          {m.label}
        </button>
      ))}
    </div>
  );
}
