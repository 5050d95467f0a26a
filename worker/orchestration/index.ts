export { utcTime } from "./normalize";
export { orchestrate } from "./rules";
export { LATE_THRESHOLD_SECONDS, displayStateName, isLate, lateProposal } from "./late";
export type {
  CurrentState,
  Decision,
  OrchestratedState,
  OrchestrationInput,
  RunKind,
  RunSnapshot,
} from "./types";
