import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// wrangler (inside the Cloudflare plugin) must not try to send metrics from a machine without internet.
process.env.WRANGLER_SEND_METRICS ??= "false";

const migrations = await readD1Migrations("./migrations");

// Projects: code that runs in the Worker is tested inside real workerd (D1, Durable Objects);
// the SDK, CLI, local server and the web app's logic run under Node.
export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: { bindings: { TEST_MIGRATIONS: migrations } },
          }),
        ],
        test: {
          name: "worker",
          include: ["worker/**/*.test.ts", "protocol/**/*.test.ts"],
          exclude: ["worker/auth/with-key.test.ts"],
          setupFiles: ["./worker/test/apply-migrations.ts"],
        },
      },
      {
        // The same Worker with a key set, to test that every /api path then needs it.
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: { bindings: { TEST_MIGRATIONS: migrations, BATON_API_KEY: "test-key" } },
          }),
        ],
        test: {
          name: "worker-auth",
          include: ["worker/auth/with-key.test.ts"],
          setupFiles: ["./worker/test/apply-migrations.ts"],
        },
      },
      {
        test: {
          name: "node",
          environment: "node",
          include: ["sdk/**/*.test.ts", "web/**/*.test.ts", "test/**/*.test.ts", "bench/**/*.test.ts"],
          exclude: ["**/node_modules/**"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
