// Extract, transform (one task run per record, 4 at a time), load: `npx tsx examples/etl.ts`.
// The valibot schema checks the parameters and gives deployments their JSON schema, which the server checks
// each run's parameters against. Defaults sit in the flow function, as a flow's schema must accept what it
// answers (a valibot default would make `orders` optional going in but required coming out).
import { flow, log, task } from "baton";
import * as v from "valibot";

const Parameters = v.object({
  orders: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(500), v.description("How many orders to extract (default 12)"))),
  currency: v.optional(v.pipe(v.picklist(["EUR", "USD", "GBP"]), v.description("Currency of the totals (default EUR)"))),
});

interface Order {
  id: number;
  amountUsd: number;
}

const RATES = { EUR: 0.92, USD: 1, GBP: 0.79 };

// A real flow would read a database or an API; these orders are made up, the same on every run.
const extract = task("extract", (count: number): Order[] =>
  Array.from({ length: count }, (_, i) => ({ id: i + 1, amountUsd: ((i * 37) % 100) + 0.99 })),
);

const transform = task(
  "transform",
  async (order: Order & { currency: keyof typeof RATES }) => {
    await new Promise((r) => setTimeout(r, 50)); // as if it called a service per record
    return { id: order.id, amount: Math.round(order.amountUsd * RATES[order.currency] * 100) / 100 };
  },
  { retries: 2, retryDelaySeconds: 1 },
);

const load = task("load", (rows: { id: number; amount: number }[], currency: string) => {
  const total = rows.reduce((sum, r) => sum + r.amount, 0);
  log.info(`Loaded ${rows.length} rows, total ${total.toFixed(2)} ${currency}`);
  return { rows: rows.length, total };
});

export const etlFlow = flow(
  "etl",
  async ({ orders = 12, currency = "EUR" }) => {
    const raw = await extract(orders);
    const rows = await transform.map(
      raw.map((order) => ({ ...order, currency })),
      { concurrency: 4 },
    );
    return load(rows, currency);
  },
  { parameters: Parameters, description: "Orders in US dollars, converted and summed" },
);

if (import.meta.main) await etlFlow({ orders: 12, currency: "EUR" });
