import path from 'node:path';
import { rmSync } from 'node:fs';
import type { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../../src/app.js';
import { loadConfig } from '../../../src/core/config.js';
import { ensureDatabase } from '../../../src/core/db/database-url.js';
import { connectOrm, migrate } from '../../../src/core/db/db.js';
import {
  makePostgresScratchDir,
  startEmbeddedPostgres,
  type EmbeddedDatabase,
} from '../../../src/core/db/embedded-postgres.js';
import { createLogger } from '../../../src/core/logger.js';
import { loadReferenceData } from '../../../src/modules/reference/reference-data.js';
import { toGlobalId } from '../../../src/core/relay/global-id.js';
import { Seed, type SeededOrganization } from '../../setup/seed.js';
import { metricValue, until } from '../../setup/probes.js';
import { startStreamingReplica, type StreamingReplica } from '../../setup/streaming-replica.js';

/**
 * DATABASE_REPLICA_URLS against a real streaming standby of this file's own primary (a standby of
 * the shared test server would copy every other file's database).
 */
const DATABASE = 'niudai';
let scratch: string;
let primary: EmbeddedDatabase;
let standby: StreamingReplica;
let orm: MikroORM;
let app: App;
let base: string;
let organization: SeededOrganization;

const DIRECTORY = `query($text: String) {
  organizations(filter: { text: $text }) { edges { node { id description } } }
}`;
const UPDATE = `mutation($input: UpdateOrganizationInput!) {
  updateOrganization(input: $input) { organization { description } }
}`;
const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { token } }`;

async function gql(query: string, variables: Record<string, unknown> = {}, token?: string) {
  const res = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: Record<string, unknown> | null; errors?: { message: string }[] };
}

/** The organization's description as the directory search answers it (anonymous unless `token`). */
async function listedDescription(token?: string): Promise<string | undefined> {
  const res = await gql(DIRECTORY, { text: organization.organization.name }, token);
  expect(res.errors).toBeUndefined();
  const edges = (res.data?.organizations as { edges: { node: { id: string; description: string } }[] }).edges;
  const id = toGlobalId('Organization', organization.organization.id);
  return edges.find((edge) => edge.node.id === id)?.node.description;
}

beforeAll(async () => {
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  scratch = makePostgresScratchDir('niudai-replicas-');
  const primaryDataDir = path.join(scratch, 'primary');
  primary = await startEmbeddedPostgres(primaryDataDir, log);
  await ensureDatabase(primary.url('postgres'), DATABASE);
  orm = await connectOrm(primary.url(DATABASE), log);
  await migrate(orm);
  await loadReferenceData(orm);
  standby = await startStreamingReplica(primary, primaryDataDir);
  const config = loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    DATABASE_URL: primary.url(DATABASE),
    DATABASE_REPLICA_URLS: standby.url(DATABASE),
  });
  app = await createApp({ config, orm, log });
  base = await app.listen(0, '127.0.0.1');
  organization = await new Seed(orm, app.services).organization({
    name: '副本测试社工服务中心',
    description: '第一版介绍',
  });
  await standby.caughtUp();
}, 180_000);

afterAll(async () => {
  await app?.stop();
  await orm?.close();
  await standby?.remove();
  await primary?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('read replicas (DATABASE_REPLICA_URLS)', () => {
  it('serves anonymous directory reads from the replica, and the writer her own write from the primary', async () => {
    expect(await listedDescription()).toBe('第一版介绍');
    await standby.pause();
    try {
      const updated = await gql(
        UPDATE,
        {
          input: {
            organizationId: toGlobalId('Organization', organization.organization.id),
            description: '第二版介绍',
          },
        },
        organization.token,
      );
      expect(updated.errors).toBeUndefined();
      // The standby has stopped replaying: an anonymous reader still sees the old text, so it read there…
      expect(await listedDescription()).toBe('第一版介绍');
      // …while she, signed in, reads the primary and sees what she wrote.
      expect(await listedDescription(organization.token)).toBe('第二版介绍');
      // A mutation is never sent to the read-only standby, signed in or not.
      const signUp = await gql(SIGN_UP, {
        input: { email: 'replica-reader@example.cn', password: 'secret-password', displayName: '读者' },
      });
      expect(signUp.errors).toBeUndefined();
    } finally {
      await standby.resume();
    }
    await until(async () => (await listedDescription()) === '第二版介绍');
    expect(await metricValue(base, 'niudai_db_replica_up', { replica: '1' })).toBe(1);
  });

  it('serves open data from the replica', async () => {
    await standby.pause();
    try {
      await gql(
        UPDATE,
        {
          input: {
            organizationId: toGlobalId('Organization', organization.organization.id),
            description: '第三版介绍',
          },
        },
        organization.token,
      );
      const file = await (await fetch(`${base}/opendata/hsds/organizations.ndjson`)).text();
      expect(file).toContain('第二版介绍');
      expect(file).not.toContain('第三版介绍');
    } finally {
      await standby.resume();
    }
    await standby.caughtUp();
  });

  it('falls back to the primary at once when the replica is gone, and says so in /metrics', async () => {
    await standby.kill();
    // The first read after the kill hits the dead replica, and is answered from the primary.
    expect(await listedDescription()).toBe('第三版介绍');
    expect(await metricValue(base, 'niudai_db_replica_up', { replica: '1' })).toBe(0);
    expect(await listedDescription()).toBe('第三版介绍');
    const openData = await fetch(`${base}/opendata/hsds/organizations.ndjson`);
    expect(openData.status).toBe(200);
    expect(await openData.text()).toContain('第三版介绍');
  });
});
