import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { StateCreate } from "./states";

describe("state timestamps", () => {
  it.each(["2025-06-01T13:00:00 +02", "9999-12-31T23:00:00-05:00", "0000-01-01T01:00:00+05:00"])(
    "refuses %s: Date cannot read it, or its UTC form would not sort as text",
    (timestamp) => expect(v.safeParse(StateCreate, { type: "SCHEDULED", timestamp }).success).toBe(false),
  );

  it.each(["9999-12-31T23:00:00+05:00", "2025-06-01T13:00:00.123456+02:00", "2025-06-01 11:00:00Z"])("accepts %s", (timestamp) =>
    expect(v.safeParse(StateCreate, { type: "SCHEDULED", timestamp }).success).toBe(true),
  );
});
