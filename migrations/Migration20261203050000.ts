import { Migration } from '@mikro-orm/migrations';

/**
 * Every kind of provider (docs/domain.md, "Providers"): an organization's provider kind — every
 * existing one is a social organization, which the column's default fills in — and, for a community
 * group, its sponsoring hub and no credit code (nor a social organization's legal form); a project's
 * allowed provider kinds (empty: every kind).
 */
export class Migration20261203050000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "project" add column "allowed_provider_kinds" text[] not null default '{}';`);
    this.addSql(
      `alter table "organization" add column "provider_kind" text check ("provider_kind" in ('SOCIAL_ORGANIZATION', 'CARING_ENTERPRISE', 'PUBLIC_INSTITUTION', 'COMMUNITY_GROUP')) not null default 'SOCIAL_ORGANIZATION', add column "sponsor_id" bigint null;`,
    );
    this.addSql(`alter table "organization" alter column "credit_code" drop not null;`);
    this.addSql(`alter table "organization" alter column "kind" drop not null;`);
    this.addSql(
      `alter table "organization" add constraint "organization_sponsor_id_foreign" foreign key ("sponsor_id") references "organization" ("id") on update cascade on delete restrict;`,
    );
    this.addSql(`create index "organization_provider_kind_index" on "organization" ("provider_kind");`);
    this.addSql(`create index "organization_sponsor_id_index" on "organization" ("sponsor_id");`);
    this.addSql(
      `alter table "organization" add constraint organization_kind_code_sponsor_check check(("provider_kind" = 'COMMUNITY_GROUP') = ("credit_code" is null) and ("provider_kind" = 'COMMUNITY_GROUP') = ("sponsor_id" is not null));`,
    );
  }

  override async down(): Promise<void> {
    // Only while every organization is a social organization: the others have no legal form or no code.
    this.addSql(`alter table "organization" drop constraint "organization_sponsor_id_foreign";`);
    this.addSql(`drop index "organization_provider_kind_index";`);
    this.addSql(`drop index "organization_sponsor_id_index";`);
    this.addSql(`alter table "organization" drop constraint organization_kind_code_sponsor_check;`);
    this.addSql(`alter table "organization" drop column "provider_kind", drop column "sponsor_id";`);
    this.addSql(`alter table "organization" alter column "credit_code" set not null;`);
    this.addSql(`alter table "organization" alter column "kind" set not null;`);
    this.addSql(`alter table "project" drop column "allowed_provider_kinds";`);
  }
}
