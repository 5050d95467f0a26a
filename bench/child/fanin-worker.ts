/**
 * One of the fan-in benchmark's workers, a process of its own: it holds the pool's socket and completes
 * every run it is offered at once (ack, RUNNING, COMPLETED over the socket), up to its capacity at a time.
 * It remembers every offer, so the harness can prove that no run was handed out twice; told to go, it
 * closes its socket and answers what it saw.
 */
import { ProtocolWorker } from "../protocol-worker";
import { answer, ready } from "./ipc";

const worker = await ProtocolWorker.connect(process.env.BATON_API_URL!, process.env.BENCH_POOL!, process.env.BENCH_WORKER!, Number(process.env.BENCH_CAPACITY ?? 10));
const offers: string[] = [];
let completed = 0;
let refused = 0;
let lastCompleted = 0;
worker.onOffer(async (offer) => {
  offers.push(offer.flow_run.id);
  worker.ack(offer);
  const running = await worker.state(offer, "RUNNING");
  if (running.result.status !== "ACCEPT") {
    refused++;
    return;
  }
  const done = await worker.state(offer, "COMPLETED");
  if (done.result.status !== "ACCEPT") refused++;
  else {
    completed++;
    lastCompleted = Date.now();
  }
});

await ready();
await answer(async () => {
  await worker.close();
  return { offers, completed, refused, lastCompleted };
});
