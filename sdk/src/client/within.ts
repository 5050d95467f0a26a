/**
 * Waits for `work` at most `timeoutMs`: true when it finished, false when time ran out (the work goes on,
 * unawaited). For flushes at exit, where a process must not hang forever on a server that is gone.
 */
export async function finishedWithin(work: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<false>((r) => (timer = setTimeout(() => r(false), timeoutMs).unref()));
  const outcome = await Promise.race([work.then(() => true), gaveUp]);
  clearTimeout(timer);
  return outcome;
}
