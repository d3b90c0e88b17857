import { Migration } from '@mikro-orm/migrations';

export class Migration20261126120633 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "region" ("code" varchar(12) not null, "name" varchar(100) not null, "name_en" varchar(100) not null, "level" text check ("level" in ('PROVINCE', 'CITY', 'DISTRICT')) not null, "parent_code" varchar(12) null, "path" text[] not null, constraint "region_pkey" primary key ("code"));`,
    );
    this.addSql(`create index "region_path_index" on "region" using gin ("path");`);

    this.addSql(
      `create table "service_category" ("code" varchar(64) not null, "name" varchar(100) not null, "name_en" varchar(100) not null, "sort_order" int not null default 0, "parent_code" varchar(64) null, "path" text[] not null, constraint "service_category_pkey" primary key ("code"));`,
    );
    this.addSql(`create index "service_category_path_index" on "service_category" using gin ("path");`);

    this.addSql(
      `create table "app_user" ("id" bigserial primary key, "email" varchar(254) null, "mobile" varchar(11) null, "password_hash" varchar(200) not null, "display_name" varchar(100) not null, "roles" text[] not null, "region_scope_code" varchar(12) null, "status" text check ("status" in ('ACTIVE', 'SUSPENDED')) not null default 'ACTIVE', "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now());`,
    );
    this.addSql(`alter table "app_user" add constraint "app_user_email_unique" unique ("email");`);
    this.addSql(`alter table "app_user" add constraint "app_user_mobile_unique" unique ("mobile");`);
    this.addSql(`create index "app_user_region_scope_code_index" on "app_user" ("region_scope_code");`);

    this.addSql(
      `alter table "region" add constraint "region_parent_code_foreign" foreign key ("parent_code") references "region" ("code") on update cascade on delete restrict;`,
    );

    this.addSql(
      `alter table "service_category" add constraint "service_category_parent_code_foreign" foreign key ("parent_code") references "service_category" ("code") on update cascade on delete restrict;`,
    );

    this.addSql(
      `alter table "app_user" add constraint "app_user_region_scope_code_foreign" foreign key ("region_scope_code") references "region" ("code") on update cascade on delete restrict;`,
    );
  }
}
