export { flow } from "./flow";
export { task, type Task, type TaskOptions, type TaskArgs, type MapOptions } from "./task";
export { TaskFuture, TaskFutureList, type Awaitable } from "./futures";
export { getLogger, log, type Logger } from "./logger";
export { TimeoutError } from "./attempts";
export { ParameterError } from "./parameters";
export { isFlow } from "./types";
export type { Flow, FlowOptions, ServeOptions, RetryDelay, Trigger } from "./types";
