// A picture with its regions drawn over it: each region a box with a label tab, the active one
// highlighted. Boxes are placed in percent of the picture's own coordinates, so they stay on
// the right pixels at any displayed size. Optionally: click a box (or its tab) to pick it, and
// drag on the picture to draw a new box.

import type { TargetedPointerEvent } from 'preact';
import { useRef, useState } from 'preact/hooks';
import type { Box } from '../api/client';

/** A region to draw on the picture. */
export interface CanvasBox {
  id: string;
  box: Box;
  label: string;
  score?: number;
  /** detected by the server, drawn by the user, or the searched region when it is neither */
  kind: 'detected' | 'custom' | 'query';
  active: boolean;
}

interface Props {
  src: string;
  alt: string;
  /** The coordinate space of the boxes: the oriented picture's size in pixels. */
  width: number;
  height: number;
  boxes: CanvasBox[];
  /** When set, boxes can be picked (their tabs are buttons; a click inside a box picks it too). */
  onSelect?: (b: CanvasBox) => void;
  /** When set, dragging on the picture draws a new box. */
  onDraw?: (box: Box) => void;
  busy?: boolean;
}

/** Smallest drawn box, in displayed pixels, that counts as a box rather than a click. */
const MIN_DRAG_PX = 6;

const pct = (v: number, of: number) => `${(v / of) * 100}%`;

/** The text of a box's tab: the label, and the score as a percentage when there is one. */
export function tagText(b: Pick<CanvasBox, 'label' | 'score'>): string {
  return b.score === undefined ? b.label : `${b.label} ${Math.round(b.score * 100)}%`;
}

/** The picture with `boxes` over it at their picture coordinates, whatever size it is shown at. */
export function RegionCanvas({ src, alt, width, height, boxes, onSelect, onDraw, busy }: Props) {
  const stage = useRef<HTMLDivElement>(null);
  const [drag, setDrag] = useState<{ x0: number; y0: number; x1: number; y1: number } | null>(null);

  const toPicture = (e: PointerEvent) => {
    const r = stage.current!.getBoundingClientRect();
    const fx = Math.min(1, Math.max(0, (e.clientX - r.left) / r.width));
    const fy = Math.min(1, Math.max(0, (e.clientY - r.top) / r.height));
    return { x: fx * width, y: fy * height, px: e.clientX - r.left, py: e.clientY - r.top, scale: r.width / width };
  };

  const onPointerDown = (e: TargetedPointerEvent<HTMLDivElement>) => {
    if (!onDraw && !onSelect) return;
    if (e.button !== 0) return;
    e.preventDefault();
    (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId);
    const p = toPicture(e);
    setDrag({ x0: p.x, y0: p.y, x1: p.x, y1: p.y });
  };
  const onPointerMove = (e: TargetedPointerEvent<HTMLDivElement>) => {
    if (!drag) return;
    const p = toPicture(e);
    setDrag({ ...drag, x1: p.x, y1: p.y });
  };
  const onPointerUp = (e: TargetedPointerEvent<HTMLDivElement>) => {
    if (!drag) return;
    const p = toPicture(e);
    const d = { ...drag, x1: p.x, y1: p.y };
    setDrag(null);
    const box: Box = {
      x1: Math.floor(Math.min(d.x0, d.x1)), y1: Math.floor(Math.min(d.y0, d.y1)),
      x2: Math.ceil(Math.max(d.x0, d.x1)), y2: Math.ceil(Math.max(d.y0, d.y1)),
    };
    const dragged = Math.max(Math.abs(d.x1 - d.x0), Math.abs(d.y1 - d.y0)) * p.scale >= MIN_DRAG_PX;
    if (dragged && onDraw) {
      onDraw({ x1: box.x1, y1: box.y1, x2: Math.min(width, Math.max(box.x2, box.x1 + 1)), y2: Math.min(height, Math.max(box.y2, box.y1 + 1)) });
      return;
    }
    if (!dragged && onSelect) {
      // A click inside boxes picks the smallest one under the pointer.
      const hit = boxes
        .filter((b) => p.x >= b.box.x1 && p.x <= b.box.x2 && p.y >= b.box.y1 && p.y <= b.box.y2)
        .sort((a, b) => (a.box.x2 - a.box.x1) * (a.box.y2 - a.box.y1) - (b.box.x2 - b.box.x1) * (b.box.y2 - b.box.y1))[0];
      if (hit && !hit.active) onSelect(hit);
    }
  };

  const interactive = Boolean(onDraw || onSelect);
  const ordered = [...boxes].sort((a, b) => Number(a.active) - Number(b.active));
  return (
    <div class={`region-canvas${busy ? ' busy' : ''}`}>
      <div
        class="stage"
        ref={stage}
        // Up to twice the natural size, never wider than the column nor taller than 65% of the
        // viewport; the picture fills the stage at its own aspect ratio, so the boxes' percentages hold.
        style={{ width: `min(100%, ${2 * width}px, calc(65vh * ${width / height}))` }}
      >
        <img src={src} alt={alt} width={width} height={height} draggable={false} />
        {interactive && (
          <div
            class={`draw-layer${onDraw ? ' can-draw' : ''}`}
            onPointerDown={onPointerDown}
            onPointerMove={onPointerMove}
            onPointerUp={onPointerUp}
            onPointerCancel={() => setDrag(null)}
            aria-hidden="true"
          />
        )}
        {ordered.map((b) => {
          const nearTop = b.box.y1 / height < 0.09;
          const style = { left: pct(b.box.x1, width), top: pct(b.box.y1, height), width: pct(b.box.x2 - b.box.x1, width), height: pct(b.box.y2 - b.box.y1, height) };
          const text = tagText(b);
          const where = `${b.box.x1},${b.box.y1} to ${b.box.x2},${b.box.y2}`;
          return (
            <div
              key={b.id}
              class={`box ${b.kind}${b.active ? ' active' : ''}${nearTop ? ' tag-inside' : ''}`}
              style={style}
              data-box={`${b.box.x1},${b.box.y1},${b.box.x2},${b.box.y2}`}
              data-label={b.label}
            >
              {onSelect ? (
                <button
                  type="button"
                  class="tag"
                  aria-pressed={b.active}
                  aria-label={`${text}, ${where}${b.active ? ' (searched)' : ': search this region'}`}
                  onClick={() => { if (!b.active) onSelect(b); }}
                >
                  {text}
                </button>
              ) : (
                <span class="tag">{text}</span>
              )}
            </div>
          );
        })}
        {drag && (
          <div
            class="box drawing"
            style={{
              left: pct(Math.min(drag.x0, drag.x1), width), top: pct(Math.min(drag.y0, drag.y1), height),
              width: pct(Math.abs(drag.x1 - drag.x0), width), height: pct(Math.abs(drag.y1 - drag.y0), height),
            }}
          />
        )}
      </div>
    </div>
  );
}
