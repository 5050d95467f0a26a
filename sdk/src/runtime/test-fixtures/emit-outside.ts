// A script that emits an event outside any run (`node --import tsx emit-outside.ts`), for emit-event.test.ts.
import { emitEvent, flow } from "../../index";

if (process.env.RUN_A_FLOW === "1") await flow("before-the-event", async () => 1)();
const event = emitEvent("test.outside", { payload: { n: 1 } });
console.log(`emitted ${event.id}`);
