import { Migration } from '@mikro-orm/migrations';

export class Migration20261203010000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "project" drop constraint if exists "project_status_check";`);

    this.addSql(
      `alter table "project" add column "criteria" jsonb not null default '[]', add column "plan" jsonb null, add column "award_justification" text null;`,
    );
    this.addSql(
      `alter table "project" add constraint "project_status_check" check("status" in ('DRAFT', 'PLANNED', 'PUBLISHED', 'EVALUATING', 'AWARDED', 'IN_PROGRESS', 'COMPLETED', 'CANCELLED', 'UNSUCCESSFUL'));`,
    );

    this.addSql(
      `alter table "project_application" add column "scores" jsonb null, add column "weighted_score_centi" int null, add column "scored_at" timestamptz null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "project" drop constraint if exists "project_status_check";`);

    this.addSql(
      `alter table "project" drop column "criteria", drop column "plan", drop column "award_justification";`,
    );

    this.addSql(
      `alter table "project" add constraint "project_status_check" check("status" in ('DRAFT', 'PUBLISHED', 'EVALUATING', 'AWARDED', 'IN_PROGRESS', 'COMPLETED', 'CANCELLED', 'UNSUCCESSFUL'));`,
    );

    this.addSql(
      `alter table "project_application" drop column "scores", drop column "weighted_score_centi", drop column "scored_at";`,
    );
  }
}
