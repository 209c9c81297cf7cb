import type { VNode } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { view } from './view';

interface BarChartProps {
  /** Start of each bar, epoch seconds. */
  xs: number[];
  ys: number[];
  /** Seconds each bar covers. */
  step: number;
  /** Fixed, so the page does not move when the chart is drawn or redrawn. */
  height: number;
  /** Read by assistive technology instead of the canvas. */
  label: string;
  compact?: boolean;
}

const AXIS = { stroke: '#5b6472', font: '11px system-ui, sans-serif', ticks: { show: false } };

/** Bars over time with uPlot: created once, then only fed new data. */
export function BarChart({ xs, ys, step, height, label, compact = false }: BarChartProps): VNode {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  /** What the x range is computed from; read when uPlot asks, so it follows setData. */
  const extent = useRef({ xs, step });
  extent.current = { xs, step };
  useEffect(() => {
    const element = box.current!;
    const options: uPlot.Options = {
      width: Math.max(element.clientWidth, 100),
      height,
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { show: false } },
      scales: {
        // From the first to the last bar with half a bar of room at each end: uPlot's own
        // range for a single point would span years.
        x: {
          time: true,
          range: () => {
            const { xs: bars, step: width } = extent.current;
            if (bars.length === 0) return [Date.now() / 1000 - 3600, Date.now() / 1000];
            return [bars[0] - width / 2, bars[bars.length - 1] + width / 2];
          },
        },
        y: { range: (_u, _min, max) => [0, Math.max(1, max ?? 1)] },
      },
      axes: [
        { ...AXIS, show: !compact, size: 22, grid: { show: false } },
        {
          ...AXIS,
          show: !compact,
          size: 40,
          grid: { stroke: '#e6e8ec', width: 1 },
          incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 100000],
        },
      ],
      series: [
        {},
        {
          label: 'occurrences',
          stroke: '#c2410c',
          fill: 'rgba(234, 88, 12, 0.55)',
          width: 0,
          points: { show: false },
          paths: uPlot.paths.bars!({ size: [0.8, 24], gap: 1 }),
        },
      ],
    };
    plot.current = new uPlot(options, [xs, ys], element);
    const resize = new ResizeObserver(() =>
      plot.current?.setSize({ width: Math.max(element.clientWidth, 100), height }),
    );
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [height, compact]);

  useEffect(() => {
    plot.current?.setData([xs, ys]);
  }, [xs, ys]);

  return view`<div
    class=${compact ? 'chart chart-compact' : 'chart'}
    ref=${box}
    style=${{ height: `${height}px` }}
    role="img"
    aria-label=${label}
  ></div>`;
}
