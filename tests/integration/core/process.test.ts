import { afterAll, describe, expect, it } from 'vitest';
import {
  processesMentioning,
  provesDataSurvive,
  startHub,
  stopEverythingStarted,
  tempDir,
} from './process-harness.js';
import { scratchDatabase } from '../../setup/scratch-database.js';

afterAll(stopEverythingStarted);

describe('the process (npm start)', () => {
  // Two process starts: like its neighbours, more than the 30 s default.
  it('serves on an external DATABASE_URL, stops on SIGTERM with 0, and keeps data across restarts', async () => {
    const env = { DATABASE_URL: await scratchDatabase(), DATA_DIR: tempDir() };
    const first = await startHub(env);
    expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
    expect(first.url).not.toMatch(/:0\//);
    const health = await fetch(first.url.replace('/graphql', '/readyz'));
    expect(health.status).toBe(200);
    await provesDataSurvive(first, () => startHub(env));
  }, 120_000);

  it('starts its own PostgreSQL without DATABASE_URL, stops it on SIGTERM, and keeps data', async () => {
    const dataDir = tempDir();
    const env = { DATA_DIR: dataDir };
    const first = await startHub(env, 120_000);
    expect(first.output()).toContain('embedded PostgreSQL started');
    expect(processesMentioning(dataDir).length).toBeGreaterThan(0);
    await provesDataSurvive(first, async () => {
      // Stopped with the hub: nothing is left running on its data directory.
      expect(processesMentioning(dataDir)).toEqual([]);
      return startHub(env, 120_000);
    });
    expect(processesMentioning(dataDir)).toEqual([]);
  }, 240_000);
});
