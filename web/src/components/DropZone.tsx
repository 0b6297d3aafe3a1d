// Pick pictures by drag-and-drop or with the file chooser (the label makes the whole zone a
// keyboard-reachable file input).

import { useState } from 'preact/hooks';

interface Props {
  id: string;
  label: string;
  hint?: string;
  multiple?: boolean;
  onFiles: (files: File[]) => void;
}

const pictures = (list: FileList | null | undefined) => Array.from(list ?? []).filter((f) => f.type.startsWith('image/') || f.type === '');

/** A drop target and file input for pictures; calls `onFiles` with the chosen image files. */
export function DropZone({ id, label, hint, multiple, onFiles }: Props) {
  const [over, setOver] = useState(false);
  return (
    <div
      class={`drop-zone${over ? ' over' : ''}`}
      onDragOver={(e) => { e.preventDefault(); setOver(true); }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        const files = pictures(e.dataTransfer?.files);
        if (files.length) onFiles(multiple ? files : files.slice(0, 1));
      }}
    >
      <label for={id}>
        <span class="drop-label">{label}</span>
        {hint && <span class="muted drop-hint">{hint}</span>}
      </label>
      <input
        id={id}
        type="file"
        accept="image/*"
        multiple={multiple}
        onChange={(e) => {
          const input = e.currentTarget;
          const files = pictures(input.files);
          if (files.length) onFiles(files);
          input.value = '';
        }}
      />
    </div>
  );
}
