import { useEffect, useId, useRef, useState } from 'react';

export interface Series {
  label: string;
  color: string;
  values: number[];
}

const H = 200;
const PAD = { top: 12, right: 12, bottom: 24, left: 32 };
/** Room one day label needs at the chart's font size. */
const LABEL_SPACING = 56;

/**
 * The chart's drawing width follows its box (ResizeObserver), so text is drawn at its real
 * size on a phone instead of a 640-unit drawing shrunk to half (unreadable 5 px labels).
 */
function useWidth(fallback = 640) {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(([entry]) => {
      const w = Math.round(entry.contentRect.width);
      if (w > 0) setWidth(Math.max(240, w));
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return { ref, width };
}

function niceMax(max: number): number {
  if (max <= 4) return 4;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => max / s <= 4) ?? magnitude * 10;
  return Math.ceil(max / step) * step;
}

function shortDay(day: string): string {
  const d = new Date(`${day}T00:00:00`);
  return Number.isNaN(d.getTime())
    ? day
    : d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
}

const labelEvery = (count: number, innerW: number) =>
  Math.max(1, Math.ceil(count / Math.max(2, Math.floor(innerW / LABEL_SPACING))));

function Axes({ labels, max, W }: { labels: string[]; max: number; W: number }) {
  const innerH = H - PAD.top - PAD.bottom;
  const innerW = W - PAD.left - PAD.right;
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  const every = labelEvery(labels.length, innerW);
  return (
    <g className="axes">
      {ticks.map((t) => {
        const y = PAD.top + innerH * (1 - t);
        return (
          <g key={t}>
            <line className="grid" x1={PAD.left} x2={W - PAD.right} y1={y} y2={y} />
            <text x={PAD.left - 6} y={y + 3} textAnchor="end">
              {Math.round(max * t)}
            </text>
          </g>
        );
      })}
      {labels.map((label, i) =>
        i % every === 0 || i === labels.length - 1 ? (
          <text
            key={label}
            x={PAD.left + (labels.length === 1 ? innerW / 2 : (innerW * i) / (labels.length - 1))}
            y={H - 6}
            textAnchor="middle"
          >
            {shortDay(label)}
          </text>
        ) : null,
      )}
    </g>
  );
}

export function LineChart({ labels, series, title }: { labels: string[]; series: Series[]; title: string }) {
  const titleId = useId();
  const { ref, width: W } = useWidth();
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.values)));
  const innerH = H - PAD.top - PAD.bottom;
  const innerW = W - PAD.left - PAD.right;
  const x = (i: number) => PAD.left + (labels.length <= 1 ? innerW / 2 : (innerW * i) / (labels.length - 1));
  const y = (v: number) => PAD.top + innerH * (1 - v / max);
  const summary = series
    .map((s) => `${s.values.reduce((a, b) => a + b, 0)} ${s.label.toLowerCase()}`)
    .join(', ');

  return (
    <div className="chart" ref={ref}>
      <div className="legend" aria-hidden="true">
        {series.map((s) => (
          <span key={s.label}>
            <span className="legend-swatch" style={{ background: s.color }} />
            {s.label}
          </span>
        ))}
      </div>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={titleId}>
        <title id={titleId}>{`${title}: ${summary}`}</title>
        <Axes labels={labels} max={max} W={W} />
        {series.map((s) => (
          <g key={s.label}>
            <polyline
              fill="none"
              stroke={s.color}
              strokeWidth="2"
              strokeLinejoin="round"
              points={s.values.map((v, i) => `${x(i)},${y(v)}`).join(' ')}
            />
            {s.values.map((v, i) => (
              <circle key={i} cx={x(i)} cy={y(v)} r="2.5" fill={s.color}>
                <title>{`${shortDay(labels[i])}: ${v} ${s.label.toLowerCase()}`}</title>
              </circle>
            ))}
          </g>
        ))}
      </svg>
    </div>
  );
}

export function BarChart({
  labels,
  values,
  title,
  color,
}: {
  labels: string[];
  values: number[];
  title: string;
  color: string;
}) {
  const titleId = useId();
  const { ref, width: W } = useWidth();
  const max = niceMax(Math.max(0, ...values));
  const innerH = H - PAD.top - PAD.bottom;
  const innerW = W - PAD.left - PAD.right;
  const slot = innerW / Math.max(1, values.length);
  const barW = Math.max(2, slot * 0.7);
  const total = values.reduce((a, b) => a + b, 0);
  return (
    <div className="chart" ref={ref}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={titleId}>
        <title id={titleId}>{`${title}: ${total} in total`}</title>
        <g className="axes">
          {[0, 0.5, 1].map((t) => {
            const yy = PAD.top + innerH * (1 - t);
            return (
              <g key={t}>
                <line className="grid" x1={PAD.left} x2={W - PAD.right} y1={yy} y2={yy} />
                <text x={PAD.left - 6} y={yy + 3} textAnchor="end">
                  {Math.round(max * t)}
                </text>
              </g>
            );
          })}
          {labels.map((label, i) =>
            i % labelEvery(labels.length, innerW) === 0 ? (
              <text key={label} x={PAD.left + slot * i + slot / 2} y={H - 6} textAnchor="middle">
                {shortDay(label)}
              </text>
            ) : null,
          )}
        </g>
        {values.map((v, i) => {
          const h = (innerH * v) / max;
          return (
            <rect
              key={i}
              x={PAD.left + slot * i + (slot - barW) / 2}
              y={PAD.top + innerH - h}
              width={barW}
              height={Math.max(h, v > 0 ? 1 : 0)}
              rx="2"
              fill={color}
            >
              <title>{`${shortDay(labels[i])}: ${v}`}</title>
            </rect>
          );
        })}
      </svg>
    </div>
  );
}
