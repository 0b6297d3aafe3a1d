// A destructive action in two steps: the first button asks, the second one acts. No modal, so
// focus stays in place and the keyboard path is obvious.

import { useEffect, useRef, useState } from 'preact/hooks';

interface Props {
  label: string;
  question: string;
  confirmLabel: string;
  onConfirm: () => Promise<void> | void;
}

/** A button that asks before it runs `onConfirm`, with the confirming button focused. */
export function ConfirmButton({ label, question, confirmLabel, onConfirm }: Props) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const yes = useRef<HTMLButtonElement>(null);
  useEffect(() => { if (asking) yes.current?.focus(); }, [asking]);
  if (!asking) return <button type="button" class="danger" onClick={() => setAsking(true)}>{label}</button>;
  return (
    <div class="confirm" role="group" aria-label={question}>
      <span>{question}</span>
      <button
        ref={yes}
        type="button"
        class="danger"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          try {
            await onConfirm();
          } finally {
            setBusy(false);
            setAsking(false);
          }
        }}
      >
        {busy ? 'Working…' : confirmLabel}
      </button>
      <button type="button" onClick={() => setAsking(false)}>Cancel</button>
    </div>
  );
}
