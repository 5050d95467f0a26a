import type { Output } from "../output";
import type { WorkerAgent } from "./agent";

export type StopResult = { cancelled: boolean; unreported: number };

const runs = (n: number) => `${n} running run${n === 1 ? "" : "s"}`;

/**
 * Runs a connected agent until it is told to stop: the first SIGINT/SIGTERM (or `signal`) stops taking
 * work and lets running runs finish; a second one cancels them. Rejects when the connection fails for good.
 */
export async function runUntilStopped(agent: WorkerAgent, out: Output, signal?: AbortSignal): Promise<StopResult> {
  let draining: Promise<void> | undefined;
  let cancelling: Promise<number> | undefined;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));

  const stop = (why: string) => {
    if (!draining) {
      const n = agent.running;
      out.info(
        n === 0
          ? `\nStopping (${why}).`
          : `\nStopping (${why}): no new runs; waiting for ${runs(n)} to finish. Press Ctrl-C again to cancel ${n === 1 ? "it" : "them"}.`,
      );
      draining = agent.drain().then(finish);
    } else if (!cancelling) {
      out.warn(`Cancelling ${runs(agent.running)} (${why})…`);
      cancelling = agent.cancelAll(`the worker was stopped (${why})`);
      void cancelling.then(finish);
    }
  };
  const onSignal = (name: NodeJS.Signals) => stop(name);
  const onAbort = () => stop("stop requested");
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  if (signal?.aborted) onAbort();
  else signal?.addEventListener("abort", onAbort, { once: true });
  try {
    await Promise.race([finished, agent.failed]);
    return cancelling ? { cancelled: true, unreported: await cancelling } : { cancelled: false, unreported: 0 };
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    signal?.removeEventListener("abort", onAbort);
  }
}
