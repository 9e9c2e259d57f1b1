import { useEffect, useRef } from 'preact/hooks';
import type uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** uPlot is loaded with the first chart (its own chunk), after the figures have painted. */
let uplot: Promise<typeof uPlot> | null = null;
const loadUplot = () => (uplot ??= import('uplot').then((m) => m.default));

export interface ChartSeries {
  label: string;
  color: string;
  /** Fill between this series and the one at `bandTo` (error band). */
  band?: boolean;
  dash?: number[];
}

/** A uPlot line chart that resizes with its box; `data[0]` is epoch seconds. */
export function Chart(p: { title: string; series: ChartSeries[]; data: (number | null)[][]; bands?: [number, number][]; height?: number; unit?: (v: number) => string }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef(p.data);
  latest.current = p.data;
  useEffect(() => {
    const el = box.current!;
    let dead = false;
    let ro: ResizeObserver | undefined;
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height: p.height ?? 200,
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      series: [{}, ...p.series.map((s) => ({ label: s.label, stroke: s.color, width: s.band ? 0 : 2, dash: s.dash, points: { show: false }, value: p.unit ? (_u: uPlot, v: number | null) => (v === null ? '–' : p.unit!(v)) : undefined }))],
      bands: p.bands?.map(([a, b]) => ({ series: [a, b] as [number, number], fill: 'rgba(232,163,61,0.18)' })),
      axes: [{ stroke: '#9fb0c2', grid: { stroke: '#2a3644' } }, { stroke: '#9fb0c2', grid: { stroke: '#2a3644' }, size: 96, values: p.unit ? (_u: uPlot, vs: number[]) => vs.map((v) => p.unit!(v)) : undefined }],
    };
    void loadUplot().then((UPlot) => {
      if (dead) return;
      plot.current = new UPlot(opts, latest.current as uPlot.AlignedData, el);
      ro = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(200, el.clientWidth), height: p.height ?? 200 }));
      ro.observe(el);
    });
    return () => {
      dead = true;
      ro?.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [p.series.length]);
  useEffect(() => {
    plot.current?.setData(p.data as uPlot.AlignedData);
  }, [p.data]);
  return (
    <figure class="chart">
      <figcaption>{p.title}</figcaption>
      <div ref={box} role="img" aria-label={p.title} />
    </figure>
  );
}
