import { Hono } from "hono";
import { IdPath } from "../../protocol/common";
import { TaskRunBulk, TaskRunCount, TaskRunCreate, TaskRunFilter } from "../../protocol/task-runs";
import { SetStateBody } from "../../protocol/states";
import { setStateStatus } from "../db/run-set-state";
import { applyTaskRunBulk } from "../db/task-run-bulk";
import { createTaskRuns } from "../db/task-run-create";
import { countTaskRuns, filterTaskRuns } from "../db/task-run-filter";
import { deleteTaskRun, getTaskRun, getTaskRunStates, setTaskRunState } from "../db/task-runs";
import { ApiError, found, notFound } from "../errors";
import { streamLater, taskRunEvents } from "../stream/publish";
import type { AppEnv } from "../types";
import { valid } from "../validate";

export const taskRunRoutes = new Hono<AppEnv>()
  .post("/", valid("json", TaskRunCreate), async (c) => {
    const { items } = await createTaskRuns(c.var.db, [c.req.valid("json")], () => "body");
    const outcome = items[0]!;
    streamLater(c, taskRunEvents(c.var.db, { create: items, set_state: [] }));
    if (!outcome.task_run) throw new ApiError(outcome.status as 404 | 409 | 422, outcome.detail ?? "task run not created");
    return c.json(outcome.task_run, outcome.status === 201 ? 201 : 200);
  })
  // The SDK's batching path: many creates and state changes, answered item by item.
  .post("/bulk", valid("json", TaskRunBulk), async (c) => {
    const { create, set_state } = await applyTaskRunBulk(c.var.db, c.req.valid("json"));
    streamLater(c, taskRunEvents(c.var.db, { create, set_state }));
    return c.json({ create, set_state });
  })
  .post("/filter", valid("json", TaskRunFilter), async (c) => c.json(await filterTaskRuns(c.var.db, c.req.valid("json"))))
  .post("/count", valid("json", TaskRunCount), async (c) => c.json(await countTaskRuns(c.var.db, c.req.valid("json"))))
  .get("/:id", valid("param", IdPath), async (c) => {
    const { id } = c.req.valid("param");
    return c.json(found(await getTaskRun(c.var.db, id), "task run", id));
  })
  .delete("/:id", valid("param", IdPath), async (c) => {
    const { id } = c.req.valid("param");
    if (!(await deleteTaskRun(c.var.db, id))) throw notFound("task run", id);
    return c.body(null, 204);
  })
  .post("/:id/set_state", valid("param", IdPath), valid("json", SetStateBody), async (c) => {
    const { id } = c.req.valid("param");
    const { result } = await setTaskRunState(c.var.db, id, c.req.valid("json"));
    streamLater(c, taskRunEvents(c.var.db, { create: [], set_state: [{ task_run_id: id, result }] }));
    return c.json(result, setStateStatus(result));
  })
  .get("/:id/states", valid("param", IdPath), async (c) => {
    const { id } = c.req.valid("param");
    return c.json(found(await getTaskRunStates(c.var.db, id), "task run", id));
  });
