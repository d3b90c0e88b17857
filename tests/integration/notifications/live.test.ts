import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { startTestApp, wsRequest, type TestApp } from '../../setup/test-app.js';
import { spawnServer, type ServerProcess } from '../../setup/server-process-client.js';
import { submitDemand } from '../../setup/operations.js';
import { subscriptionsReach, until } from '../../setup/probes.js';
import { createLogger } from '../../../src/core/logger.js';
import { emitEvent, Topic } from '../../../src/core/events/outbox.js';
import { NotificationWorker } from '../../../src/modules/notifications/notification-worker.js';
import type { NotificationSignals } from '../../../src/modules/notifications/notification-signals.js';
import { fannedOut, NOTIFY_ENV } from './helpers.js';

/**
 * `notificationReceived` is woken by signals sent outside the outbox (notification-signals.ts) and
 * reads the notifications themselves: across processes, across a reconnect, and when a signal was
 * never sent.
 */
let t: TestApp;
const servers: ServerProcess[] = [];
const env = { JWT_SECRET: randomBytes(32).toString('base64url') };

beforeAll(async () => {
  t = await startTestApp({ ...NOTIFY_ENV, ...env });
});

afterAll(async () => {
  await t?.stop();
  for (const server of servers) await server.kill();
});

const SUB = `subscription($after: String) {
  notificationReceived(after: $after) { cursor notifications { topic subjectId } } }`;

interface Pushed {
  cursor: string;
  notifications: { topic: string; subjectId: string }[];
}

/** Subscribes through `client`; what arrives is pushed onto the returned list. */
function follow(client: Client, after?: string): Pushed[] {
  const received: Pushed[] = [];
  client.subscribe(
    { query: SUB, variables: after ? { after } : {} },
    {
      next: (value) => received.push((value.data as { notificationReceived: Pushed }).notificationReceived),
      error: () => undefined,
      complete: () => undefined,
    },
  );
  return received;
}

const subjects = (pushed: Pushed[]) => pushed.flatMap((p) => p.notifications.map((n) => n.subjectId));

const servingOrg = () => t.seed.organization({ categoryCodes: ['LIFE'], regionCodes: ['370100'] });

describe('notificationReceived', () => {
  it('reaches a subscriber of another process, which makes no notifications itself', async () => {
    // No workers and no periodic check there: only the NOTIFY of this process's round can wake her.
    const other = await spawnServer(t.config.databaseUrl ?? '', { ...env, NOTIFY_POLL_MS: '0' });
    servers.push(other);
    const org = await servingOrg();
    const worker = await t.seed.worker();
    const received = follow(t.ws({ token: org.token, url: other.wsUrl }));
    await subscriptionsReach(other, 1);
    const demand = await submitDemand(t, worker.token);
    await until(() => received.length > 0, 10_000, 20, 'the notification in the other process');
    expect(received).toEqual([
      {
        cursor: expect.stringMatching(/^n\d+$/),
        notifications: [{ topic: 'DEMAND_MATCHED', subjectId: demand.id }],
      },
    ]);
  }, 90_000);

  it('gives a subscriber who reconnects with her cursor what was made while she was away, once', async () => {
    const org = await servingOrg();
    const worker = await t.seed.worker();
    const started = t.app.services.events.index.size;
    const first = t.ws({ token: org.token });
    const before = follow(first);
    await subscriptionsReach(t, started + 1);
    const seen = await submitDemand(t, worker.token);
    await until(() => before.length > 0, 10_000, 20, 'the first notification');
    expect(subjects(before)).toEqual([seen.id]);
    await first.dispose();
    await subscriptionsReach(t, started);

    const away = [await submitDemand(t, worker.token), await submitDemand(t, worker.token)];
    await fannedOut(t);
    const after = follow(t.ws({ token: org.token }), before.at(-1)!.cursor);
    await until(() => subjects(after).length >= 2, 10_000, 20, 'what was made while she was away');
    // Live again after the replay, and nothing twice: the next one is the sentinel.
    const next = await submitDemand(t, worker.token);
    await until(() => subjects(after).includes(next.id), 10_000, 20, 'the next notification');
    expect(subjects(after)).toEqual([...away.map((d) => d.id), next.id]);
  });

  it('resumes from a cursor of the time rounds were outbox events, and refuses one beyond the newest', async () => {
    const org = await servingOrg();
    const worker = await t.seed.worker();
    await submitDemand(t, worker.token);
    await fannedOut(t);
    // A round announced as it was then: a notification.created event keyed by its highest id.
    const em = t.orm.em.fork();
    const [newest] = await em.execute<{ id: string }[]>('select max("id") as "id" from "notification"');
    const seq = await em.transactional((tx) =>
      emitEvent(tx, {
        topic: Topic.NOTIFICATION_CREATED,
        entityId: Number(newest!.id),
        categoryPath: [],
        regionPath: [],
        targetGroups: [],
      }),
    );
    const later = await submitDemand(t, worker.token);
    await fannedOut(t);
    const received = follow(t.ws({ token: org.token }), String(seq));
    await until(() => received.length > 0, 10_000, 20, 'the notification after the old cursor');
    expect(subjects(received)).toEqual([later.id]);

    const beyond = `n${Number(newest!.id) + 1_000_000}`;
    const refused = await wsRequest(t.ws({ token: org.token }), SUB, { after: beyond });
    expect(refused.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ path: 'after', message: 'is beyond the newest notification' }],
    });
  });

  it('reaches a subscriber whose round was never announced (its process stopped before its NOTIFY)', async () => {
    const org = await servingOrg();
    const worker = await t.seed.worker();
    const started = t.app.services.events.index.size;
    const received = follow(t.ws({ token: org.token }));
    await subscriptionsReach(t, started + 1);
    await t.app.notificationWorker.stop();
    // A worker whose rounds commit and are then never announced, as when its process dies between.
    const silent = { announce: async () => undefined } as unknown as NotificationSignals;
    const mute = new NotificationWorker({
      orm: t.orm,
      log: createLogger('silent'),
      config: { pollMs: 50 },
      events: t.app.services.events,
      signals: silent,
      projects: t.app.services.projectApplications,
    });
    await mute.start();
    try {
      const demand = await submitDemand(t, worker.token);
      await fannedOut(t);
      // This process's check (every NOTIFY_POLL_MS) finds the round missing from its chain.
      await until(() => received.length > 0, 10_000, 20, 'the unannounced notification');
      expect(subjects(received)).toEqual([demand.id]);
    } finally {
      await mute.stop();
    }
  });
});
