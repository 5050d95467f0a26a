/*
 * What a pool's Durable Object remembers in its own SQLite storage, so that it survives hibernation
 * and eviction: the runs it has handed out (and to whom, with which lease), and the workers it knows.
 * D1 stays the source of truth for the runs themselves: every row here names a run whose worker_id and
 * lease_token D1 also holds, and a stale row is harmless because every write to D1 is conditional.
 */

/** offered: waiting for the worker's ack; acked: the worker has it; cancelling: a cancel was sent. */
export type HeldPhase = "offered" | "acked" | "cancelling";

export type HeldRun = {
  run_id: string;
  worker_id: string;
  lease_token: string;
  deployment_id: string | null;
  phase: HeldPhase;
  /** Epoch ms when the phase times out (ack or cancel), or null. */
  deadline: number | null;
};

export type WorkerKind = "socket" | "poll";

export type KnownWorker = {
  worker_id: string;
  name: string;
  kind: WorkerKind;
  capacity: number;
  heartbeat_ms: number;
  /** Epoch ms of the last sign of life: hello, heartbeat, poll. */
  last_beat: number;
  /** Epoch ms when its socket closed, while it may still come back. */
  lost_at: number | null;
};

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS held (
  run_id TEXT PRIMARY KEY, worker_id TEXT NOT NULL, lease_token TEXT NOT NULL, deployment_id TEXT,
  phase TEXT NOT NULL, deadline INTEGER
);
CREATE INDEX IF NOT EXISTS held_worker ON held (worker_id);
CREATE TABLE IF NOT EXISTS workers (
  worker_id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, capacity INTEGER NOT NULL,
  heartbeat_ms INTEGER NOT NULL, last_beat INTEGER NOT NULL, lost_at INTEGER
);
`;

type Row = Record<string, SqlStorageValue>;

export class PoolStore {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(SCHEMA);
  }

  private all<T>(query: string, ...params: SqlStorageValue[]): T[] {
    return this.sql.exec<Row>(query, ...params).toArray() as unknown as T[];
  }

  getMeta(key: string): string | null {
    return this.all<{ value: string }>("SELECT value FROM meta WHERE key = ?", key)[0]?.value ?? null;
  }

  setMeta(key: string, value: string | null): void {
    if (value === null) this.sql.exec("DELETE FROM meta WHERE key = ?", key);
    else this.sql.exec("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value);
  }

  held(runId: string): HeldRun | undefined {
    return this.all<HeldRun>("SELECT * FROM held WHERE run_id = ?", runId)[0];
  }

  heldRuns(): HeldRun[] {
    return this.all<HeldRun>("SELECT * FROM held");
  }

  heldBy(workerId: string): HeldRun[] {
    return this.all<HeldRun>("SELECT * FROM held WHERE worker_id = ?", workerId);
  }

  hold(run: HeldRun): void {
    this.sql.exec(
      "INSERT OR REPLACE INTO held (run_id, worker_id, lease_token, deployment_id, phase, deadline) VALUES (?, ?, ?, ?, ?, ?)",
      run.run_id,
      run.worker_id,
      run.lease_token,
      run.deployment_id,
      run.phase,
      run.deadline,
    );
  }

  setPhase(runId: string, phase: HeldPhase, deadline: number | null): void {
    this.sql.exec("UPDATE held SET phase = ?, deadline = ? WHERE run_id = ?", phase, deadline, runId);
  }

  drop(runId: string): void {
    this.sql.exec("DELETE FROM held WHERE run_id = ?", runId);
  }

  worker(workerId: string): KnownWorker | undefined {
    return this.all<KnownWorker>("SELECT * FROM workers WHERE worker_id = ?", workerId)[0];
  }

  workers(): KnownWorker[] {
    return this.all<KnownWorker>("SELECT * FROM workers");
  }

  saveWorker(w: KnownWorker): void {
    this.sql.exec(
      "INSERT OR REPLACE INTO workers (worker_id, name, kind, capacity, heartbeat_ms, last_beat, lost_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      w.worker_id,
      w.name,
      w.kind,
      w.capacity,
      w.heartbeat_ms,
      w.last_beat,
      w.lost_at,
    );
  }

  forgetWorker(workerId: string): void {
    this.sql.exec("DELETE FROM workers WHERE worker_id = ?", workerId);
  }

  /** The earliest ack or cancel deadline of any held run. */
  nextDeadline(): number | null {
    return this.all<{ d: number | null }>("SELECT min(deadline) AS d FROM held")[0]?.d ?? null;
  }
}
