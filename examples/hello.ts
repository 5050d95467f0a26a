// The tutorial's first flow: run it with `npx tsx examples/hello.ts`.
import { flow, task } from "baton";

const greet = task("greet", async (name: string) => `Hello, ${name}!`, { retries: 2 });

export const helloFlow = flow("hello-flow", async ({ name = "World" }: { name?: string } = {}) => {
  console.log(await greet(name)); // captured as a log line of the run
});

if (import.meta.main) await helloFlow({ name: "Ada" });
