import { Migration } from '@mikro-orm/migrations';
import { creditCodeFindings, type OrganizationKindCode } from '../src/modules/organizations/credit-code.js';

/** Organizations this migration checks per UPDATE statement. */
const BATCH = 500;

/**
 * Organizations keep what their credit code says about itself (checked at registration and at every
 * profile change; the existing ones are checked here), and the documents their admins upload for
 * verification, bytes included.
 */
export class Migration20261202110000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table "organization" add column "credit_code_check" jsonb null, add column "credit_code_checked_at" timestamptz null;`,
    );
    this.addSql(
      `create table "organization_document" ("id" bigserial primary key, "organization_id" bigint not null, "kind" text check ("kind" in ('REGISTRATION_CERTIFICATE', 'CHARTER', 'ANNUAL_INSPECTION', 'OTHER')) not null, "file_name" varchar(200) not null, "content_type" text check ("content_type" in ('application/pdf', 'image/jpeg', 'image/png')) not null, "size_bytes" int not null, "content" bytea not null, "uploaded_by_id" bigint null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(
      `create index "organization_document_organization_id_id_index" on "organization_document" ("organization_id", "id");`,
    );
    this.addSql(
      `alter table "organization_document" add constraint "organization_document_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "organization_document" add constraint "organization_document_uploaded_by_id_foreign" foreign key ("uploaded_by_id") references "app_user" ("id") on update cascade on delete set null;`,
    );
    // The organizations registered before: their codes checked now, with the same function.
    const rows = (await this.execute(
      `select "id", "credit_code", "kind" from "organization" order by "id"`,
    )) as {
      id: string | number;
      credit_code: string;
      kind: OrganizationKindCode;
    }[];
    for (let start = 0; start < rows.length; start += BATCH) {
      const batch = rows.slice(start, start + BATCH);
      this.addSql(
        this.getKnex()
          .raw(
            `update "organization" o set "credit_code_check" = v.findings::jsonb, "credit_code_checked_at" = now()
               from (values ${batch.map(() => '(?::bigint, ?)').join(', ')}) as v(id, findings) where o."id" = v.id`,
            batch.flatMap((row) => [row.id, JSON.stringify(creditCodeFindings(row.credit_code, row.kind))]),
          )
          .toQuery(),
      );
    }
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "organization_document" cascade;`);
    this.addSql(
      `alter table "organization" drop column "credit_code_check", drop column "credit_code_checked_at";`,
    );
  }
}
