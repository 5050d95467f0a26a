/** The child's side of bench/harness/child.ts: ready → go → one result, over Node's IPC channel. */

type FromHarness = { type: "go"; message: unknown };

/** Says the child is ready and waits for the harness's "go"; answers what came with it. */
export function ready<T = undefined>(): Promise<T> {
  if (!process.send) throw new Error("this script is started by the benchmark harness (npm run bench)");
  return new Promise((resolve) => {
    process.on("message", (msg: FromHarness) => {
      if (msg.type === "go") resolve(msg.message as T);
    });
    process.send!({ type: "ready" });
  });
}

/** Sends the result (or the error) and lets the process end. */
export async function answer(work: () => Promise<unknown>): Promise<void> {
  let message: object;
  try {
    message = { type: "result", result: await work() };
  } catch (e) {
    message = { type: "error", error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  }
  await new Promise<void>((resolve) => process.send!(message, () => resolve()));
  process.disconnect();
}
