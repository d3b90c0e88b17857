import { Migration } from '@mikro-orm/migrations';

/**
 * Clarification questions about tenders and their answers (`project_question`), and complaints
 * against awards with their responses and rulings (`project_complaint`): docs/domain.md,
 * "Clarifications and complaints".
 */
export class Migration20261203020000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "project_question" ("id" bigserial primary key, "project_id" bigint not null, "organization_id" bigint not null, "asked_by_id" bigint null, "question" text not null, "answer" text null, "answered_at" timestamptz null, "answered_by_id" bigint null, "changes_terms" boolean not null default false, "amendment_id" bigint null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(
      `create index "project_question_organization_id_index" on "project_question" ("organization_id");`,
    );
    this.addSql(
      `create index "project_question_project_id_id_index" on "project_question" ("project_id", "id");`,
    );

    this.addSql(
      `create table "project_complaint" ("id" bigserial primary key, "project_id" bigint not null, "organization_id" bigint not null, "application_id" bigint null, "filed_by_id" bigint null, "grounds" text not null, "response" text null, "responded_at" timestamptz null, "responded_by_id" bigint null, "reviewer_id" bigint null, "outcome" text check ("outcome" in ('UPHELD', 'DISMISSED')) null, "reasoning" text null, "ruled_at" timestamptz null, "ruled_by_id" bigint null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(
      `create index "project_complaint_organization_id_index" on "project_complaint" ("organization_id");`,
    );
    this.addSql(
      `create index "project_complaint_project_id_id_index" on "project_complaint" ("project_id", "id");`,
    );

    this.addSql(
      `alter table "project_question" add constraint "project_question_project_id_foreign" foreign key ("project_id") references "project" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "project_question" add constraint "project_question_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "project_question" add constraint "project_question_asked_by_id_foreign" foreign key ("asked_by_id") references "app_user" ("id") on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table "project_question" add constraint "project_question_answered_by_id_foreign" foreign key ("answered_by_id") references "app_user" ("id") on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table "project_question" add constraint "project_question_amendment_id_foreign" foreign key ("amendment_id") references "project_amendment" ("id") on update cascade on delete set null;`,
    );

    this.addSql(
      `alter table "project_complaint" add constraint "project_complaint_project_id_foreign" foreign key ("project_id") references "project" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "project_complaint" add constraint "project_complaint_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "project_complaint" add constraint "project_complaint_application_id_foreign" foreign key ("application_id") references "project_application" ("id") on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table "project_complaint" add constraint "project_complaint_filed_by_id_foreign" foreign key ("filed_by_id") references "app_user" ("id") on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table "project_complaint" add constraint "project_complaint_responded_by_id_foreign" foreign key ("responded_by_id") references "app_user" ("id") on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table "project_complaint" add constraint "project_complaint_reviewer_id_foreign" foreign key ("reviewer_id") references "app_user" ("id") on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table "project_complaint" add constraint "project_complaint_ruled_by_id_foreign" foreign key ("ruled_by_id") references "app_user" ("id") on update cascade on delete set null;`,
    );
    // The new notification topic PROJECT_CLARIFIED.
    this.addSql(
      `alter table "organization_notification_default" drop constraint if exists "organization_notification_default_topic_check";`,
    );
    this.addSql(
      `alter table "organization_notification_default" add constraint "organization_notification_default_topic_check" check("topic" in ('DEMAND_MATCHED', 'PROJECT_ELIGIBLE', 'APPLICATION_DECIDED', 'VERIFICATION_DECIDED', 'OWN_DEMAND_UPDATED', 'ENDORSED_DEMAND_FULFILLED', 'CLAIM_LAPSING', 'WEBHOOK_DISABLED', 'APPLICATION_PERIOD_CLOSED', 'PROJECT_CLARIFIED'));`,
    );
    this.addSql(
      `alter table "notification_preference" drop constraint if exists "notification_preference_topic_check";`,
    );
    this.addSql(
      `alter table "notification_preference" add constraint "notification_preference_topic_check" check("topic" in ('DEMAND_MATCHED', 'PROJECT_ELIGIBLE', 'APPLICATION_DECIDED', 'VERIFICATION_DECIDED', 'OWN_DEMAND_UPDATED', 'ENDORSED_DEMAND_FULFILLED', 'CLAIM_LAPSING', 'WEBHOOK_DISABLED', 'APPLICATION_PERIOD_CLOSED', 'PROJECT_CLARIFIED'));`,
    );
    this.addSql(`alter table "notification" drop constraint if exists "notification_topic_check";`);
    this.addSql(
      `alter table "notification" add constraint "notification_topic_check" check("topic" in ('DEMAND_MATCHED', 'PROJECT_ELIGIBLE', 'APPLICATION_DECIDED', 'VERIFICATION_DECIDED', 'OWN_DEMAND_UPDATED', 'ENDORSED_DEMAND_FULFILLED', 'CLAIM_LAPSING', 'WEBHOOK_DISABLED', 'APPLICATION_PERIOD_CLOSED', 'PROJECT_CLARIFIED'));`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(
      `alter table "organization_notification_default" drop constraint if exists "organization_notification_default_topic_check";`,
    );
    this.addSql(
      `alter table "organization_notification_default" add constraint "organization_notification_default_topic_check" check("topic" in ('DEMAND_MATCHED', 'PROJECT_ELIGIBLE', 'APPLICATION_DECIDED', 'VERIFICATION_DECIDED', 'OWN_DEMAND_UPDATED', 'ENDORSED_DEMAND_FULFILLED', 'CLAIM_LAPSING', 'WEBHOOK_DISABLED', 'APPLICATION_PERIOD_CLOSED'));`,
    );
    this.addSql(
      `alter table "notification_preference" drop constraint if exists "notification_preference_topic_check";`,
    );
    this.addSql(
      `alter table "notification_preference" add constraint "notification_preference_topic_check" check("topic" in ('DEMAND_MATCHED', 'PROJECT_ELIGIBLE', 'APPLICATION_DECIDED', 'VERIFICATION_DECIDED', 'OWN_DEMAND_UPDATED', 'ENDORSED_DEMAND_FULFILLED', 'CLAIM_LAPSING', 'WEBHOOK_DISABLED', 'APPLICATION_PERIOD_CLOSED'));`,
    );
    this.addSql(`alter table "notification" drop constraint if exists "notification_topic_check";`);
    this.addSql(
      `alter table "notification" add constraint "notification_topic_check" check("topic" in ('DEMAND_MATCHED', 'PROJECT_ELIGIBLE', 'APPLICATION_DECIDED', 'VERIFICATION_DECIDED', 'OWN_DEMAND_UPDATED', 'ENDORSED_DEMAND_FULFILLED', 'CLAIM_LAPSING', 'WEBHOOK_DISABLED', 'APPLICATION_PERIOD_CLOSED'));`,
    );
    this.addSql(`drop table if exists "project_question" cascade;`);

    this.addSql(`drop table if exists "project_complaint" cascade;`);
  }
}
