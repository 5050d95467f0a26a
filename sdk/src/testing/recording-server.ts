import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { clientConfig } from "../client/config";
import { ApiClient } from "../client/http";

/**
 * A real HTTP endpoint for the SDK's senders (log and event shippers, the watcher): it records the JSON
 * body of every POST by path, answers `status` (default 202 `{}`), and can go away and come back on the
 * same port, so a client sees a real refused connection in between.
 */
export interface RecordingServer {
  client: ApiClient;
  /** Bodies received, per path ("/api/events"), in order. */
  bodies: Map<string, unknown[]>;
  /** Every item of every array body received at `path`, in order. */
  items<T = Record<string, unknown>>(path: string): T[];
  requests: number;
  /** What the next requests are answered (status and body); default 202 {}. */
  answer(status: number, body?: unknown): void;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function recordingServer(): Promise<RecordingServer> {
  let status = 202;
  let answerBody: unknown = {};
  const bodies = new Map<string, unknown[]>();
  let server: Server | undefined;
  let port = 0;
  const recorder: RecordingServer = {
    client: undefined as unknown as ApiClient,
    bodies,
    requests: 0,
    items: <T>(path: string) => (bodies.get(path) ?? []).flatMap((b) => (Array.isArray(b) ? b : [])) as T[],
    answer(s, body = {}) {
      status = s;
      answerBody = body;
    },
    async up() {
      server = createServer((req, res) => {
        let text = "";
        req.on("data", (c) => (text += c));
        req.on("end", () => {
          recorder.requests++;
          if (status < 300) {
            const path = new URL(req.url ?? "/", "http://x").pathname;
            bodies.set(path, [...(bodies.get(path) ?? []), JSON.parse(text || "null")]);
          }
          res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(answerBody));
        });
      });
      await new Promise<void>((r) => server!.listen(port, "127.0.0.1", r));
      port = (server.address() as AddressInfo).port;
    },
    async down() {
      const s = server;
      server = undefined;
      if (!s) return;
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    },
    close: () => recorder.down(),
  };
  await recorder.up();
  recorder.client = new ApiClient(clientConfig({ BATON_API_URL: `http://127.0.0.1:${port}/api` }));
  return recorder;
}
