import { liveStatus, type LiveStatus } from "../live";

const LABELS: Record<LiveStatus, string> = {
  idle: "Not live",
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
};

/** Whether what the page shows is being kept up to date right now. */
export function LiveIndicator() {
  return (
    <span class="live" data-live={liveStatus()} role="status" title="Changes appear without reloading while live">
      <span class="live-dot" aria-hidden="true" />
      {LABELS[liveStatus()]}
    </span>
  );
}
