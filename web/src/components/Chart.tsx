import { createEffect, onCleanup, onMount } from "solid-js";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { DEFAULT_STATE_NAMES, type StateType } from "../../../protocol/states";
import type { Buckets } from "../pages/Dashboard.data";

/** A state's colour from styles.css, so the chart follows the theme like every badge. */
const stateColour = (type: StateType) =>
  getComputedStyle(document.documentElement).getPropertyValue(`--state-${type.toLowerCase()}`).trim() || "#888";

/**
 * Runs over time as stacked bars, one colour per state type. uPlot has no stacking, so each series is
 * drawn with its cumulative height, tallest first, and the later (lower) ones paint over it.
 */
export function RunsChart(props: { buckets: Buckets; types: readonly StateType[]; label: string }) {
  let host: HTMLDivElement | undefined;
  let plot: uPlot | undefined;

  const build = () => {
    if (!host) return;
    plot?.destroy();
    const { starts, counts } = props.buckets;
    const types = props.types;
    const stacked: number[][] = [];
    let running = starts.map(() => 0);
    for (const t of types) {
      running = running.map((sum, i) => sum + (counts[t][i] ?? 0));
      stacked.push(running);
    }
    const muted = getComputedStyle(document.documentElement).getPropertyValue("--text-muted").trim();
    const grid = getComputedStyle(document.documentElement).getPropertyValue("--border").trim();
    const bars = uPlot.paths.bars!({ size: [0.8, 40] });
    // Drawn top of the stack first; the legend shows each state's own count, not the stack height.
    const order = types.map((_, i) => types.length - 1 - i);
    plot = new uPlot(
      {
        width: host.clientWidth || 600,
        height: 220,
        legend: { show: true },
        cursor: { points: { show: false } },
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        axes: [
          { stroke: muted, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } },
          { stroke: muted, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] },
        ],
        series: [
          {},
          ...order.map((i) => {
            const type = types[i]!;
            const colour = stateColour(type);
            return {
              label: DEFAULT_STATE_NAMES[type],
              fill: colour,
              stroke: colour,
              paths: bars,
              points: { show: false },
              value: (_u: uPlot, _v: number | null, _s: number, idx: number | null) => String(idx == null ? "–" : (counts[type][idx] ?? 0)),
            };
          }),
        ],
      },
      [starts, ...order.map((i) => stacked[i]!)],
      host,
    );
  };

  onMount(() => {
    const resize = new ResizeObserver(() => plot?.setSize({ width: host?.clientWidth ?? 600, height: 220 }));
    if (host) resize.observe(host);
    const scheme = matchMedia("(prefers-color-scheme: dark)");
    scheme.addEventListener("change", build);
    onCleanup(() => {
      resize.disconnect();
      scheme.removeEventListener("change", build);
      plot?.destroy();
    });
  });
  createEffect(build);

  return <div class="chart" ref={host} role="img" aria-label={props.label} />;
}
