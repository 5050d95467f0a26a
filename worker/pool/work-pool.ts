import { DurableObject } from "cloudflare:workers";
export class WorkPool extends DurableObject {}
