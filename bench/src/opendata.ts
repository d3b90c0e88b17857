/**
 * Scenario 6: a full open-data export. The data (organizations with their services, publishers,
 * projects in every status with applications, awards and amendments) comes from the hub's
 * generator (`src/seed`); each export is fetched whole from the running server while its RSS is
 * sampled, for the time and the peak RSS of each (the exports stream in batches, so the peak should
 * not grow with the data).
 */
import { processRssBytes, round, sleep } from './util.js';

/** The exports scenario 6 fetches. */
export const EXPORT_PATHS = [
  '/opendata/hsds/organizations.ndjson',
  '/opendata/hsds/services.ndjson',
  '/opendata/ocds/releases.json',
  '/opendata/ocds/records.json',
];

/** Fetches one export whole, sampling the server's RSS every 20 ms meanwhile. */
export async function measureExport(
  baseUrl: string,
  serverPid: number,
  exportPath: string,
): Promise<Record<string, unknown>> {
  const rssBefore = processRssBytes(serverPid);
  let peak = rssBefore;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, processRssBytes(serverPid));
      await sleep(20);
    }
  })();
  const started = performance.now();
  const res = await fetch(`${baseUrl}${exportPath}`);
  let bytes = 0;
  let lines = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.byteLength;
    for (const byte of chunk) if (byte === 10) lines += 1;
  }
  const seconds = (performance.now() - started) / 1000;
  sampling = false;
  await sampler;
  const mb = (b: number) => round(b / 1024 / 1024, 1);
  return {
    export: exportPath,
    status: res.status,
    seconds: round(seconds, 2),
    megabytes: mb(bytes),
    lines,
    rssBeforeMb: mb(rssBefore),
    peakRssMb: mb(peak),
  };
}
