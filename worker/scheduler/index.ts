export { checkSchedule, type ScheduleCheck } from "./validate";
export { nextRunTimes } from "./next-runs";
export type { SlotWindow } from "./slot-window";
