import type { PoolMessage } from "../../protocol/worker-socket";

/*
 * The pool's worker sockets. What the object must remember about a socket across hibernation lives in
 * its attachment: which worker said hello on it, and whether a newer connection replaced it.
 */

export type SocketAttachment = { worker_id: string | null; name: string | null; replaced?: boolean };

export function attachment(ws: WebSocket): SocketAttachment {
  return (ws.deserializeAttachment() as SocketAttachment | null) ?? { worker_id: null, name: null };
}

export function send(ws: WebSocket, message: PoolMessage): boolean {
  try {
    ws.send(JSON.stringify(message));
    return true;
  } catch {
    // The socket closed under us; its close handler deals with the worker.
    return false;
  }
}

export function close(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    // Already closing or closed.
  }
}

/** Open sockets of workers that said hello, by worker id (at most one each: a newer one replaces). */
export function liveSockets(ctx: DurableObjectState): Map<string, WebSocket> {
  const byWorker = new Map<string, WebSocket>();
  for (const ws of ctx.getWebSockets()) {
    const a = attachment(ws);
    if (a.worker_id && !a.replaced && ws.readyState === WebSocket.OPEN) byWorker.set(a.worker_id, ws);
  }
  return byWorker;
}
