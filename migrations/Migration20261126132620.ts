import { Migration } from '@mikro-orm/migrations';

export class Migration20261126132620 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index "service_region_codes_index" on "service" using gin ("region_codes");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "service_region_codes_index";`);
  }
}
