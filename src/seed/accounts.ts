/**
 * Accounts of the demo: the generated population (organization admins, workers, union, government
 * and enterprise staff — one email per seed and role, so a second run finds them) and the few demo
 * accounts with a known password that the seed prints for people to sign in with.
 *
 * @module
 */
import type { Knex } from '@mikro-orm/postgresql';
import { Role } from '../core/roles.js';
import { insertRows } from './sql.js';

/** The domain of generated accounts (`.example` is reserved: no mail ever leaves for it). */
export const SEED_EMAIL_DOMAIN = 'seed.niudai.example';
/** The domain of the demo accounts printed at the end. */
export const DEMO_EMAIL_DOMAIN = 'niudai.example';

/** The email of a generated account: `s42.worker17@seed.niudai.example`. */
export function seedEmail(seed: number, local: string): string {
  return `s${seed}.${local}@${SEED_EMAIL_DOMAIN}`;
}

/** A `LIKE` pattern matching every generated account of `seed`. */
export function seedEmailPattern(seed: number): string {
  return `s${seed}.%@${SEED_EMAIL_DOMAIN}`;
}

/** An account to create, keyed like the `app_user` columns. */
export interface UserDraft {
  email: string;
  display_name: string;
  roles: string[];
  region_scope_code: string | null;
}

/**
 * Creates the accounts whose email is free (all with `passwordHash`) and returns the ids of all of
 * them, existing ones included, by email.
 */
export async function ensureUsers(
  db: Knex,
  users: readonly UserDraft[],
  passwordHash: string,
): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (let start = 0; start < users.length; start += 5000) {
    const batch = users.slice(start, start + 5000);
    await insertRows(
      db,
      'app_user',
      [
        ['email', 'text'],
        ['password_hash', 'text'],
        ['display_name', 'text'],
        ['roles', 'text[]'],
        ['region_scope_code', 'text'],
      ],
      batch.map((u) => ({ ...u, password_hash: passwordHash })),
      { onConflict: 'on conflict ("email") do nothing' },
    );
    const rows = await db('app_user')
      .select<{ id: string; email: string }[]>('id', 'email')
      .whereIn(
        'email',
        batch.map((u) => u.email),
      );
    for (const row of rows) ids.set(row.email, Number(row.id));
  }
  return ids;
}

/** The demo accounts' shared password (development only; printed by `npm run seed`). */
export const DEMO_PASSWORD = 'niudai-demo-2024';

/** The demo accounts, without the organization membership (added once the organization exists). */
export const DEMO_USERS: readonly (UserDraft & { description: string })[] = [
  {
    email: `admin@${DEMO_EMAIL_DOMAIN}`,
    display_name: '平台管理员',
    roles: [Role.ADMIN],
    region_scope_code: null,
    description: 'platform admin',
  },
  {
    email: `union.jinan@${DEMO_EMAIL_DOMAIN}`,
    display_name: '济南市总工会 张老师',
    roles: [Role.UNION_STAFF],
    region_scope_code: '370100',
    description: 'union staff of 济南市总工会 (scope 370100; publishes and awards its projects)',
  },
  {
    email: `org.admin@${DEMO_EMAIL_DOMAIN}`,
    display_name: '阳光社工 李主任',
    roles: [Role.WORKER],
    region_scope_code: null,
    description: 'ORG_ADMIN of 济南市历下区阳光社会工作服务中心 (a verified 5A hub)',
  },
  {
    email: `worker@${DEMO_EMAIL_DOMAIN}`,
    display_name: '王师傅',
    roles: [Role.WORKER],
    region_scope_code: null,
    description: 'a worker in 济南',
  },
];
