// Tasks that fail and are retried: `npx tsx examples/retries.ts`.
import { flow, log, task } from "baton";

// Stands in for a flaky weather API: in each process the first request for a city fails (as a cold or
// overloaded upstream does), the next one succeeds. Real failures are random; this one is predictable.
const failedBefore = new Set<string>();

const fetchTemperature = task(
  "fetch-temperature",
  async (city: string) => {
    if (!failedBefore.has(city)) {
      failedBefore.add(city);
      throw new Error(`weather API answered 503 for ${city}`);
    }
    const celsius = [...city].reduce((sum, c) => sum + c.charCodeAt(0), 0) % 35;
    return { city, celsius };
  },
  // Up to 3 more attempts, 1 s then 2 s then 2 s apart; an attempt that takes over 10 s fails as timed out.
  { retries: 3, retryDelaySeconds: [1, 2], timeoutSeconds: 10 },
);

const warmest = task("warmest", (readings: { city: string; celsius: number }[]) =>
  readings.reduce((best, r) => (r.celsius > best.celsius ? r : best)),
);

export const weatherFlow = flow("weather-report", async ({ cities = ["Lisbon", "Nairobi", "Oslo"] }: { cities?: string[] } = {}) => {
  const readings = await fetchTemperature.map(cities);
  for (const r of readings) console.log(`${r.city}: ${r.celsius} °C`);
  const top = await warmest(readings);
  log.info(`Warmest: ${top.city} (${top.celsius} °C)`);
  return top;
});

if (import.meta.main) await weatherFlow();
