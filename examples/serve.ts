// Deployment and worker in one process: `npx tsx examples/serve.ts` registers hello-flow/my_first_deployment
// with a schedule every 60 s, then runs its runs (scheduled, or started with `npx baton deployment run`)
// until Ctrl-C.
import { helloFlow } from "./hello";

await helloFlow.serve({ name: "my_first_deployment", interval: 60 });
