/**
 * Waiting on signals instead of the clock: a test waits until the server shows the state it needs
 * (a subscription registered, an event through), never for a fixed time.
 */

/** Polls `condition` every 10 ms until it holds; fails naming `what` after `ms`. */
export async function until(
  condition: () => boolean | Promise<boolean>,
  what: string,
  ms = 10_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(10);
  }
}

/** Reads a gauge from a server's /metrics (for a server in another process). */
export async function gauge(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1] ?? NaN);
}

/** A server whose live subscriptions can be counted: the in-process app, or another process by URL. */
export type SubscriptionHolder =
  { app: { services: { events: { index: { size: number } } } } } | { url: string };

/**
 * Waits until `server` holds exactly `count` live subscriptions: its match index size in this
 * process, or its `niudai_subscriptions_active` gauge in another. Once a subscription is counted,
 * every event committed afterwards is pushed to it.
 */
export async function subscriptionsReach(server: SubscriptionHolder, count: number): Promise<void> {
  const active =
    'app' in server
      ? async () => server.app.services.events.index.size
      : () => gauge(server.url, 'niudai_subscriptions_active');
  await until(async () => (await active()) === count, `the server holds ${count} subscriptions`);
}

/** Only for polling loops and for giving a process time to act; never to wait for "nothing arrived". */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
