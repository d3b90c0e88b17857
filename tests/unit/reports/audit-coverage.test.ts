import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * A static guard for the audit trail: every mutation of the emitted schema names an audit action that
 * some module under src/modules passes to `recordAudit` (directly, or through a helper that does).
 * The integration test `tests/integration/reports/audit-trail.test.ts` checks the entries themselves.
 */
const ROOT = path.resolve(import.meta.dirname, '../../..');

/** Mutations that change nothing and so record nothing. */
const EXEMPT: Record<string, string> = {
  signIn: 'issues a token; changes no data (sign-in attempts are rate-limited, not audited)',
  markNotificationsRead: 'marks the caller’s own inbox read; nobody else reads it, so no one audits it',
};

/** The demand module names its actions `demand.<verb>`. */
const ACTION_OF: Record<string, string> = {
  submitDemand: 'demand.submit',
  endorseDemand: 'demand.endorse',
  withdrawDemand: 'demand.withdraw',
  claimDemand: 'demand.claim',
  releaseDemand: 'demand.release',
  reportDemandProgress: 'demand.progress',
  fulfilDemand: 'demand.fulfil',
  rateDemand: 'demand.rate',
  closeDemand: 'demand.close',
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sources(full);
    return e.name.endsWith('.ts') && !e.name.endsWith('.resolver.ts') ? [readFileSync(full, 'utf8')] : [];
  });
}

describe('audit coverage', () => {
  it('every mutation in the schema records an audit action in its service', () => {
    const schema = readFileSync(path.join(ROOT, 'schema/schema.graphql'), 'utf8');
    const block = /type Mutation \{([\s\S]*?)\n\}/.exec(schema)?.[1] ?? '';
    const mutations = [...block.matchAll(/^ {2}([a-zA-Z]+)\(/gm)].map((m) => m[1]!);
    expect(mutations.length).toBeGreaterThan(20);
    const code = sources(path.join(ROOT, 'src/modules')).join('\n');
    const missing = mutations
      .filter((m) => !(m in EXEMPT))
      .filter((m) => !code.includes(`'${ACTION_OF[m] ?? m}'`));
    expect(missing).toEqual([]);
  });
});
