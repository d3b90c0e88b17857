import { Migration } from '@mikro-orm/migrations';

/**
 * The rate limiters' shared store (src/core/rate-limit.ts): `rate-limiter-flexible`'s PostgreSQL
 * table layout, created here so the app never runs DDL at start (`tableCreated: true`). Not an
 * entity: only the limiter library reads and writes it.
 */
export class Migration20261126122603 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table if not exists "rate_limit" ("key" varchar(255) not null, "points" integer not null default 0, "expire" bigint null, constraint "rate_limit_pkey" primary key ("key"));`,
    );
    this.addSql(`create index if not exists "rate_limit_expire_index" on "rate_limit" ("expire");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "rate_limit" cascade;`);
  }
}
