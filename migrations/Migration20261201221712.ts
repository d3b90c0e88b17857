import { Migration } from '@mikro-orm/migrations';

export class Migration20261201221712 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "app_user" add column "rights_version" int not null default 0;`);

    this.addSql(`alter table "organization" add column "rights_version" int not null default 0;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "app_user" drop column "rights_version";`);

    this.addSql(`alter table "organization" drop column "rights_version";`);
  }
}
