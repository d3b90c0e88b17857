import { Migration } from '@mikro-orm/migrations';

export class Migration20261201230759 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table "organization" add column "open_data_id" uuid not null default gen_random_uuid();`,
    );
    this.addSql(
      `alter table "organization" add constraint "organization_open_data_id_unique" unique ("open_data_id");`,
    );

    this.addSql(`alter table "service" add column "open_data_id" uuid not null default gen_random_uuid();`);
    this.addSql(
      `alter table "service" add constraint "service_open_data_id_unique" unique ("open_data_id");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "organization" drop constraint "organization_open_data_id_unique";`);
    this.addSql(`alter table "organization" drop column "open_data_id";`);

    this.addSql(`alter table "service" drop constraint "service_open_data_id_unique";`);
    this.addSql(`alter table "service" drop column "open_data_id";`);
  }
}
