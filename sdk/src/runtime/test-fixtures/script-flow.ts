// A flow file as users write it, run as a script (`node --import tsx script-flow.ts`) by the tests.
import { flow, task } from "../index";

const double = task("double", async (n: number) => n * 2);

export const scripted = flow("scripted", async ({ n = 1 }: { n?: number } = {}) => {
  console.log("printed by the flow");
  return double(n);
});

console.log(`result ${await scripted({ n: 2 })}`);
console.log(`again ${await scripted({ n: 3 })}`);
