import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import type { SeededOrganization, SeededUser } from '../../setup/seed.js';
import { RELAY_APPLICATION_NAME } from '../../../src/core/events/relay.js';
import { TargetGroup } from '../../../src/modules/categories/target-group.js';
import { record, wsClient } from '../events/feed-client.js';
import { metricValue, sleep, until } from '../../setup/probes.js';
import { SUBMIT_DEMAND } from '../../setup/operations.js';

let t: TestApp;
let worker: SeededUser;
let org: SeededOrganization;
const clients: Client[] = [];

/** One sample of this app's /metrics (0 when absent). */
const sample = (name: string, labels: Record<string, string> = {}) => metricValue(t.url, name, labels);

const submit = () =>
  t.data(
    SUBMIT_DEMAND,
    {
      input: {
        title: '托育需求 metrics',
        description: '双职工家庭需要课后托管服务',
        categoryCode: 'LIFE.CHILDCARE',
        regionCode: '370102',
        targetGroups: [TargetGroup.FEMALE_WORKERS],
      },
    },
    worker.token,
  );

beforeAll(async () => {
  t = await startTestApp();
  worker = await t.seed.worker();
  org = await t.seed.organization({ categoryCodes: ['LIFE'], regionCodes: ['370100'] });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await t?.stop();
});

describe('/metrics', () => {
  it('serves Prometheus text with process and pool metrics', async () => {
    const response = await fetch(`${t.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
    expect(text).toMatch(/niudai_db_pool_connections\{state="used"\} \d+/);
    expect(text).toMatch(/niudai_db_pool_connections\{state="max"\} \d+/);
    expect(await sample('niudai_events_relay_connected')).toBe(1);
  });

  it('counts GraphQL operations by name and outcome, with durations', async () => {
    const before = await sample('niudai_graphql_requests_total', { operation: 'Me', outcome: 'ok' });
    await t.data('query Me { region(code: "370100") { code } }');
    await t.data('query Me { region(code: "370100") { code } }');
    const bad = await t.gql('query Broken { nope }');
    expect(bad.body.errors).toBeDefined();
    expect(await sample('niudai_graphql_requests_total', { operation: 'Me', outcome: 'ok' })).toBe(
      before + 2,
    );
    expect(
      await sample('niudai_graphql_requests_total', {
        operation: 'Broken',
        outcome: 'GRAPHQL_VALIDATION_FAILED',
      }),
    ).toBe(1);
    expect(
      await sample('niudai_graphql_request_duration_seconds_count', { operation: 'Me', outcome: 'ok' }),
    ).toBe(before + 2);
    const unauthenticated = await t.gql('query Me2 { region(code: "370100") { code } }', {}, 'not-a-token');
    expect(unauthenticated.status).toBe(401);
    expect(await sample('niudai_graphql_requests_total', { outcome: 'UNAUTHENTICATED' })).toBe(1);
  });

  it('shows open sockets and subscriptions, events relayed and delivered, and relay lag', async () => {
    const client = wsClient(t.wsUrl, org.token);
    clients.push(client);
    const sub = record(client);
    await until(async () => (await sample('niudai_subscriptions_active')) === 1);
    expect(await sample('niudai_websocket_sockets_open')).toBe(1);
    const relayed = await sample('niudai_events_relayed_total');
    const delivered = await sample('niudai_events_delivered_total');
    await submit();
    await sub.waitFor(1);
    await until(async () => (await sample('niudai_events_relayed_total')) === relayed + 1);
    expect(await sample('niudai_events_delivered_total')).toBe(delivered + 1);
    expect(await sample('niudai_events_relay_lag')).toBe(0);
    sub.stop();
    await until(async () => (await sample('niudai_subscriptions_active')) === 0);
    await client.dispose();
    await until(async () => (await sample('niudai_websocket_sockets_open')) === 0);
  });
});

describe('/readyz', () => {
  it('fails while the relay LISTEN connection is down and recovers after it reconnects', async () => {
    expect((await fetch(`${t.url}/readyz`)).status).toBe(200);
    // The relay reconnects within ~100 ms, so keep cutting it until readiness has been seen failing.
    let down = false;
    let seen: unknown;
    const terminate = async () => {
      while (!down) {
        await t.orm.em
          .fork()
          .getConnection()
          .execute(
            'select pg_terminate_backend(pid) from pg_stat_activity where application_name = ? and datname = current_database()',
            [RELAY_APPLICATION_NAME],
          );
        await sleep(5); // the pace of the cuts, not a wait for a condition
      }
    };
    const cutting = terminate();
    try {
      await until(async () => {
        const response = await fetch(`${t.url}/readyz`);
        if (response.status !== 503) return false;
        seen = await response.json();
        return true;
      });
    } finally {
      down = true;
      await cutting;
    }
    expect(seen).toEqual({ status: 'events relay disconnected' });
    expect(await sample('niudai_events_relay_connected')).toBeLessThanOrEqual(1);
    await until(async () => (await fetch(`${t.url}/readyz`)).status === 200);
    expect(t.app.services.events.activeRelay?.connected).toBe(true);
    expect(await sample('niudai_events_relay_connected')).toBe(1);
  });
});
