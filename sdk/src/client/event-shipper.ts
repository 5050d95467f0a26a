import { MAX_EVENTS_PER_REQUEST, type EventCreate } from "../../../protocol/events";
import { jsonBytes } from "../../../protocol/common";
import type { ApiClient } from "./http";
import { BatchShipper, type ShipperOptions } from "./shipper";

/** An event ready to send: its id and time are set when it is emitted, so a resend is stored once. */
export type OutgoingEvent = EventCreate & { id: string; occurred: string };

/** A payload may be 256 KB; a request stays well under the API's 4 MB body limit. */
const MAX_BATCH_BYTES = 1024 * 1024;

export type EventShipperOptions = Pick<ShipperOptions<OutgoingEvent, OutgoingEvent>, "maxQueue" | "onError" | "onDrop" | "onSent" | "holdsProcess">;

/** Batches events into POST /events requests (see BatchShipper: retried with backoff, resent with the same ids). */
export class EventShipper extends BatchShipper<OutgoingEvent, OutgoingEvent> {
  constructor(client: ApiClient, options: EventShipperOptions = {}) {
    super(client, {
      path: "/events",
      prepare: (event) => event,
      maxBatch: MAX_EVENTS_PER_REQUEST,
      maxBatchBytes: MAX_BATCH_BYTES,
      sizeOf: jsonBytes,
      flushEveryMs: 100,
      ...options,
    });
  }
}
