import { hello } from "./flows/jobs";

// What a user's script does to serve a flow; the tests stop it with SIGINT.
await hello.serve({ name: "from-script", parameters: { name: "Served" }, tags: ["served"] });
