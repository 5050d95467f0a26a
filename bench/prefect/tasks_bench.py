"""Orchestration overhead per task run in Prefect 3, against a running Prefect server (PREFECT_API_URL):
a flow of N trivial tasks called one after another, and the same through `.map` on a 16-thread task
runner, each against the same N plain function calls.

Prefect 3 reports task-run states as events over a websocket in the background, and the server's
task-run recorder stores them later, so the flow call can return before its task runs are recorded.
Each measurement therefore runs until the server holds all N task runs in COMPLETED state; the flow
call alone is reported next to it. Prefect's defaults are kept (cache keys, run logs sent to the API).

Usage: python tasks_bench.py [N sequential=1000] [N map=1000]. Prints `PROGRESS …` lines while it runs
and one line `RESULT {json}` at the end (bench/prefect.ts reads them)."""
import json
import sys
import time
from uuid import UUID

import prefect
from prefect import flow, task
from prefect.client.orchestration import get_client
from prefect.task_runners import ThreadPoolTaskRunner

N_SEQUENTIAL = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
N_MAP = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
STORE_TIMEOUT_S = 300
# Each check is a query on the same single-process server that is busy storing the task runs.
STORE_POLL_S = 0.2


def noop(i: int) -> int:
    # The same trivial work as Baton's overhead benchmark: task("trivial", (i) => i * 2).
    return i * 2


noop_task = task(noop, name="noop")


@flow(name="tasks-sequential")
def sequential(n: int) -> None:
    for i in range(n):
        noop_task(i)


@flow(name="tasks-map", task_runner=ThreadPoolTaskRunner(max_workers=16))
def mapped(n: int) -> None:
    noop_task.map(range(n)).result()


def count_completed(client, flow_run_id: UUID) -> int:
    response = client.request(
        "POST",
        "/task_runs/count",
        json={
            "flow_runs": {"id": {"any_": [str(flow_run_id)]}},
            "task_runs": {"state": {"type": {"any_": ["COMPLETED"]}}},
        },
    )
    return int(response.json())


def progress(message: str) -> None:
    print("PROGRESS " + message, flush=True)


def measure(flow_fn, n: int) -> dict:
    progress(f"{flow_fn.name}: flow of {n} tasks")
    t0 = time.perf_counter()
    state = flow_fn(n, return_state=True)
    flow_s = time.perf_counter() - t0
    if not state.is_completed():
        raise SystemExit(f"{flow_fn.name} ended {state.type}: {state.message}")
    flow_run_id = state.state_details.flow_run_id
    progress(f"{flow_fn.name}: flow call returned after {flow_s:.1f} s; waiting until the server stores its {n} task runs")
    with get_client(sync_client=True) as client:
        while (stored := count_completed(client, flow_run_id)) < n:
            if time.perf_counter() - t0 > STORE_TIMEOUT_S:
                raise SystemExit(f"{flow_fn.name}: only {stored}/{n} task runs stored after {STORE_TIMEOUT_S} s")
            time.sleep(STORE_POLL_S)
    stored_s = time.perf_counter() - t0
    progress(f"{flow_fn.name}: {n} task runs stored after {stored_s:.1f} s")
    return {"n": n, "flow_s": flow_s, "stored_s": stored_s}


def plain(n: int) -> float:
    t0 = time.perf_counter()
    for i in range(n):
        noop(i)
    return time.perf_counter() - t0


if __name__ == "__main__":
    # The first flow run of a process pays for imports, the API client and the events websocket.
    measure(sequential, 20)
    result = {
        "prefect_version": prefect.__version__,
        "python_version": sys.version.split()[0],
        "sequential": measure(sequential, N_SEQUENTIAL) | {"plain_s": plain(N_SEQUENTIAL)},
        "map": measure(mapped, N_MAP) | {"plain_s": plain(N_MAP)},
    }
    print("RESULT " + json.dumps(result), flush=True)
