import { ref } from '@mikro-orm/core';
import type { MikroORM } from '@mikro-orm/postgresql';
import { hashPassword } from '../../src/core/passwords.js';
import { Role } from '../../src/core/roles.js';
import { User } from '../../src/modules/accounts/user.entity.js';
import { Region } from '../../src/modules/regions/region.entity.js';
import type { Services } from '../../src/services.js';

/** A user made by a seed builder, with a valid token. */
export interface SeededUser {
  user: User;
  token: string;
  password: string;
}

let counter = 0;
/** One password hash for every seeded user: scrypt is deliberately slow. */
const PASSWORD = 'correct horse battery';
let passwordHash: Promise<string> | undefined;

/**
 * Fluent builders for test data, written straight to the database (not through GraphQL) so tests
 * set up quickly and exercise the API only where they mean to.
 */
export class Seed {
  constructor(
    readonly orm: MikroORM,
    readonly services: Services,
  ) {}

  /** A user with the given account roles and optional region scope. */
  async user(
    roles: Role[],
    options: { regionCode?: string; email?: string; displayName?: string } = {},
  ): Promise<SeededUser> {
    const em = this.orm.em.fork();
    const n = ++counter;
    const user = em.create(User, {
      email: options.email ?? `user${n}-${process.pid}-${Date.now()}@example.test`,
      mobile: null,
      passwordHash: await (passwordHash ??= hashPassword(PASSWORD)),
      displayName: options.displayName ?? `测试用户${n}`,
      roles,
      regionScope: options.regionCode ? ref(em.getReference(Region, options.regionCode)) : null,
    });
    await em.persistAndFlush(user);
    const { token } = await this.services.tokens.issue(user.id);
    return { user, token, password: PASSWORD };
  }

  worker(): Promise<SeededUser> {
    return this.user([Role.WORKER]);
  }

  admin(): Promise<SeededUser> {
    return this.user([Role.ADMIN]);
  }

  /** Union staff scoped to a region (Jinan by default). */
  unionStaff(regionCode = '370100'): Promise<SeededUser> {
    return this.user([Role.UNION_STAFF], { regionCode });
  }
}
