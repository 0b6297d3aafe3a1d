// Previous / next over Start and Num, with the window the API allows (Start + Num ≤ 500).

/** Start + Num may not exceed this (the API's result window). */
export const RESULT_WINDOW = 500;

interface Props {
  start: number;
  num: number;
  shown: number;
  total: number;
  onPage: (start: number) => void;
  label: string;
  busy?: boolean;
}

/** Previous/next buttons and the shown range; `onPage` gets the new Start. */
export function Paging({ start, num, shown, total, onPage, label, busy }: Props) {
  const last = Math.min(total, RESULT_WINDOW);
  const canPrev = start > 0;
  const canNext = start + num < last && start + num + 1 <= RESULT_WINDOW && shown === num;
  const from = shown === 0 ? 0 : start + 1;
  return (
    <nav class="paging" aria-label={label}>
      <button type="button" disabled={!canPrev || busy} onClick={() => onPage(Math.max(0, start - num))}>← Previous</button>
      <span class="paging-status" aria-live="polite">
        {shown === 0 ? 'No results' : `${from}–${start + shown} of ${total}`}
      </span>
      <button type="button" disabled={!canNext || busy} onClick={() => onPage(Math.min(start + num, RESULT_WINDOW - num))}>Next →</button>
    </nav>
  );
}
