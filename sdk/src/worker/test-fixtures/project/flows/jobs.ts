import { spawn } from "node:child_process";
// Users import from "baton"; this fixture lives inside the package, so it imports the same module by path.
import { flow } from "../../../../runtime";

/** Prints through console (captured by the runtime) and straight to stdout (shipped by the worker). */
export const hello = flow("worker-test-hello", async ({ name = "World" }: { name?: string } = {}) => {
  console.log(`Hello, ${name}!`);
  process.stdout.write(`raw stdout from pid ${process.pid}\n`);
  return name;
});

/** Sleeps, with a grandchild process, so that tests can cancel it or kill its worker. */
export const sleepy = flow("worker-test-sleepy", async ({ seconds = 60 }: { seconds?: number } = {}) => {
  const grandchild = spawn(process.execPath, ["-e", "setTimeout(() => {}, 600000)"], { stdio: "ignore" });
  process.stdout.write(`pids ${process.pid} ${grandchild.pid}\n`);
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  grandchild.kill();
  console.log("slept");
});

/** Dies in the middle of its run, as a process with a bug in native code or a stray process.exit would. */
export const crashing = flow("worker-test-crashing", async () => {
  process.stderr.write("about to exit abruptly\n");
  process.exit(3);
});

export const notAFlow = 42;
