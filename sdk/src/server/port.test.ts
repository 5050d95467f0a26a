import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { freePort } from "../testing/free-port";
import { assertPortFree } from "./port";

describe("assertPortFree", () => {
  it("passes for a free port and leaves it free", async () => {
    const port = await freePort();
    await assertPortFree("127.0.0.1", port);
    await assertPortFree("127.0.0.1", port);
  });

  it("fails with E_PORT_IN_USE when another program listens there", async () => {
    const blocker = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => blocker.listen(port, "127.0.0.1", resolve));
    try {
      await expect(assertPortFree("127.0.0.1", port)).rejects.toMatchObject({
        code: "E_PORT_IN_USE",
        message: `Port ${port} on 127.0.0.1 is already in use.`,
      });
    } finally {
      blocker.close();
    }
  });
});
