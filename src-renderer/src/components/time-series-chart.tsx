import { useEffect, useRef, type ReactNode } from 'react';
import type uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useResolvedTheme } from './theme/theme-root';

export interface ChartSeries {
  label: string;
  values: readonly (number | null)[];
  /** A theme token, e.g. '--chart-1' (resolved when drawn, so both themes get their palette). */
  colorVar: string;
  /** A reference line (a limit) rather than a measurement. */
  dashed?: boolean;
}

const HEIGHT = 160;

const cssVar = (name: string): string => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';

function toData(t: readonly number[], series: readonly ChartSeries[]): uPlot.AlignedData {
  return [t as number[], ...series.map((s) => s.values as (number | null)[])];
}

function options(width: number, series: readonly ChartSeries[], formatValue: (v: number) => string, minTop: number, yMax: number | undefined): uPlot.Options {
  const axis = (): uPlot.Axis => ({ stroke: cssVar('--muted'), grid: { stroke: cssVar('--chart-grid'), width: 1 }, ticks: { stroke: cssVar('--chart-grid'), width: 1 } });
  return {
    width,
    height: HEIGHT,
    // The legend is React's (below), themed and readable by screen readers; uPlot's is a bare table.
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
    scales: {
      // At least the last minute, so the first samples do not stretch over a span of years.
      x: { time: true, range: (_u, min, max) => [Math.min(min, max - 60), max] },
      // Usage and rates start at 0; a fixed top (a limit) keeps the line's height meaningful, and
      // `minTop` keeps an idle container's flat line from being scaled up to fractions of a byte.
      y: { range: (_u, _min, max) => [0, yMax ?? Math.max(minTop, max * 1.15)] },
    },
    axes: [axis(), { ...axis(), size: 72, values: (_u, splits) => splits.map((v) => formatValue(v)) }],
    series: [{}, ...series.map((s) => ({ label: s.label, stroke: cssVar(s.colorVar), width: 1.5, dash: s.dashed ? [6, 4] : undefined, spanGaps: false }))],
  };
}

/**
 * A uPlot line chart over time with a y axis in the caller's units. The chart is created once
 * per theme and fed with setData, so a new sample redraws without rebuilding; it follows the
 * width of its box.
 */
export function TimeSeriesChart({
  title,
  t,
  series,
  formatValue,
  minTop = 1,
  yMax,
}: {
  title: string;
  t: readonly number[];
  series: readonly ChartSeries[];
  formatValue: (v: number) => string;
  /** The y axis reaches at least this far (in the series' unit), so small values are not blown up. */
  minTop?: number;
  /** A fixed top for the y axis (e.g. a memory limit). */
  yMax?: number;
}): ReactNode {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const theme = useResolvedTheme();
  const latest = useRef({ t, series, formatValue, minTop, yMax });
  latest.current = { t, series, formatValue, minTop, yMax };
  const shape = `${series.map((s) => s.label).join('|')}|${minTop}|${yMax ?? ''}`;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    // The theme's data-theme attribute is set by ThemeRoot's effect, which runs after this one:
    // build on the next frame so the colours read are the new theme's.
    // uPlot is loaded with the first chart: it reads window.matchMedia when its module runs, which
    // a page without charts (and jsdom, in the renderer tests of the whole app) need not have.
    let cancelled = false;
    let frame = 0;
    void import('uplot').then(({ default: UPlot }) => {
      if (cancelled) return;
      frame = requestAnimationFrame(() => {
        const { t: t0, series: s0, formatValue: f0, minTop: top, yMax: hi } = latest.current;
        chart.current = new UPlot(options(el.clientWidth || 400, s0, f0, top, hi), toData(t0, s0), el);
      });
    });
    const resize = new ResizeObserver(() => chart.current?.setSize({ width: el.clientWidth, height: HEIGHT }));
    resize.observe(el);
    return () => {
      cancelled = true;
      cancelAnimationFrame(frame);
      resize.disconnect();
      chart.current?.destroy();
      chart.current = null;
    };
  }, [theme, shape]);

  useEffect(() => {
    chart.current?.setData(toData(t, series));
  }, [t, series]);

  return (
    <figure className="chart">
      <figcaption className="chart-title">{title}</figcaption>
      <div ref={box} role="img" aria-label={`${title} over the last minutes`} />
      <ul className="chart-legend">
        {series.map((s) => {
          const last = lastNonNull(s.values);
          return (
            <li key={s.label}>
              <span className={`chart-swatch${s.dashed ? ' dashed' : ''}`} style={{ borderColor: `var(${s.colorVar})` }} aria-hidden="true" />
              {s.label} <strong>{last === null ? '—' : formatValue(last)}</strong>
            </li>
          );
        })}
      </ul>
    </figure>
  );
}

function lastNonNull(values: readonly (number | null)[]): number | null {
  for (let i = values.length - 1; i >= 0; i--) if (values[i] !== null && values[i] !== undefined) return values[i] as number;
  return null;
}
