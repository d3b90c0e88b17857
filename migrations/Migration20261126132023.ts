import { Migration } from '@mikro-orm/migrations';

export class Migration20261126132023 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "project_application" add column "decided_seq" bigint null;`);
    this.addSql(
      `alter table "project_application" add constraint "project_application_decided_seq_unique" unique ("decided_seq");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(
      `alter table "project_application" drop constraint "project_application_decided_seq_unique";`,
    );
    this.addSql(`alter table "project_application" drop column "decided_seq";`);
  }
}
