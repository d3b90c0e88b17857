import { Migration } from '@mikro-orm/migrations';

/**
 * After the award: a project's signed contract, its milestones and payments, and the workers'
 * confirmations of the projects made from their demands; three notification topics for contracts.
 */
export class Migration20261203040000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "project_contract" ("id" bigserial primary key, "project_id" bigint not null, "application_id" bigint not null, "organization_id" bigint not null, "value_fen" bigint not null, "period_start" timestamptz not null, "period_end" timestamptz not null, "documents" jsonb not null default '[]', "signed_at" timestamptz not null default now(), "signed_by_id" bigint null, "created_at" timestamptz not null default now(), constraint project_contract_period_order check (period_end > period_start), constraint project_contract_value_fen_positive check (value_fen > 0));`,
    );
    this.addSql(
      `alter table "project_contract" add constraint "project_contract_project_id_unique" unique ("project_id");`,
    );
    this.addSql(
      `create index "project_contract_application_id_index" on "project_contract" ("application_id");`,
    );
    this.addSql(
      `create index "project_contract_organization_id_index" on "project_contract" ("organization_id");`,
    );

    this.addSql(
      `create table "contract_milestone" ("id" bigserial primary key, "contract_id" bigint not null, "position" smallint not null, "title" varchar(200) not null, "deliverables" text not null, "due_at" timestamptz not null, "payment_fen" bigint not null, "status" text check ("status" in ('PENDING', 'REPORTED', 'ACCEPTED', 'RETURNED')) not null default 'PENDING', "report" text null, "reported_at" timestamptz null, "return_reason" text null, "decided_at" timestamptz null, "created_at" timestamptz not null default now(), constraint contract_milestone_payment_fen_non_negative check (payment_fen >= 0));`,
    );
    this.addSql(
      `alter table "contract_milestone" add constraint "contract_milestone_contract_id_position_unique" unique ("contract_id", "position");`,
    );

    this.addSql(
      `create table "project_outcome_confirmation" ("id" bigserial primary key, "project_id" bigint not null, "demand_id" bigint not null, "worker_id" bigint not null, "served" boolean not null, "rating" smallint null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint project_outcome_rating_range check ((rating >= 1) AND (rating <= 5)));`,
    );
    this.addSql(
      `create index "project_outcome_confirmation_demand_id_index" on "project_outcome_confirmation" ("demand_id");`,
    );
    this.addSql(
      `alter table "project_outcome_confirmation" add constraint "project_outcome_confirmation_project_id_demand_id_unique" unique ("project_id", "demand_id");`,
    );

    this.addSql(
      `create table "contract_payment" ("id" bigserial primary key, "contract_id" bigint not null, "milestone_id" bigint null, "amount_fen" bigint not null, "paid_at" timestamptz not null, "recorded_by_id" bigint null, "created_at" timestamptz not null default now(), constraint contract_payment_amount_fen_positive check (amount_fen > 0));`,
    );
    this.addSql(`create index "contract_payment_milestone_id_index" on "contract_payment" ("milestone_id");`);
    this.addSql(
      `create index "contract_payment_contract_id_id_index" on "contract_payment" ("contract_id", "id");`,
    );

    this.addSql(
      `alter table "project_contract" add constraint "project_contract_project_id_foreign" foreign key ("project_id") references "project" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "project_contract" add constraint "project_contract_application_id_foreign" foreign key ("application_id") references "project_application" ("id") on update cascade on delete restrict;`,
    );
    this.addSql(
      `alter table "project_contract" add constraint "project_contract_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete restrict;`,
    );
    this.addSql(
      `alter table "project_contract" add constraint "project_contract_signed_by_id_foreign" foreign key ("signed_by_id") references "app_user" ("id") on update cascade on delete set null;`,
    );

    this.addSql(
      `alter table "contract_milestone" add constraint "contract_milestone_contract_id_foreign" foreign key ("contract_id") references "project_contract" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "project_outcome_confirmation" add constraint "project_outcome_confirmation_project_id_foreign" foreign key ("project_id") references "project" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "project_outcome_confirmation" add constraint "project_outcome_confirmation_demand_id_foreign" foreign key ("demand_id") references "demand" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "project_outcome_confirmation" add constraint "project_outcome_confirmation_worker_id_foreign" foreign key ("worker_id") references "app_user" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "contract_payment" add constraint "contract_payment_contract_id_foreign" foreign key ("contract_id") references "project_contract" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "contract_payment" add constraint "contract_payment_milestone_id_foreign" foreign key ("milestone_id") references "contract_milestone" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "contract_payment" add constraint "contract_payment_recorded_by_id_foreign" foreign key ("recorded_by_id") references "app_user" ("id") on update cascade on delete set null;`,
    );

    this.addSql(
      `alter table "organization_notification_default" drop constraint if exists "organization_notification_default_topic_check";`,
    );

    this.addSql(
      `alter table "notification_preference" drop constraint if exists "notification_preference_topic_check";`,
    );

    this.addSql(`alter table "notification" drop constraint if exists "notification_topic_check";`);

    this.addSql(
      `alter table "organization_notification_default" add constraint "organization_notification_default_topic_check" check("topic" in ('DEMAND_MATCHED', 'PROJECT_ELIGIBLE', 'APPLICATION_DECIDED', 'VERIFICATION_DECIDED', 'OWN_DEMAND_UPDATED', 'ENDORSED_DEMAND_FULFILLED', 'CLAIM_LAPSING', 'WEBHOOK_DISABLED', 'APPLICATION_PERIOD_CLOSED', 'MILESTONE_REPORTED', 'MILESTONE_DECIDED', 'CONTRACT_PAYMENT_RECORDED', 'PROJECT_CLARIFIED'));`,
    );

    this.addSql(
      `alter table "notification_preference" add constraint "notification_preference_topic_check" check("topic" in ('DEMAND_MATCHED', 'PROJECT_ELIGIBLE', 'APPLICATION_DECIDED', 'VERIFICATION_DECIDED', 'OWN_DEMAND_UPDATED', 'ENDORSED_DEMAND_FULFILLED', 'CLAIM_LAPSING', 'WEBHOOK_DISABLED', 'APPLICATION_PERIOD_CLOSED', 'MILESTONE_REPORTED', 'MILESTONE_DECIDED', 'CONTRACT_PAYMENT_RECORDED', 'PROJECT_CLARIFIED'));`,
    );

    this.addSql(
      `alter table "notification" add constraint "notification_topic_check" check("topic" in ('DEMAND_MATCHED', 'PROJECT_ELIGIBLE', 'APPLICATION_DECIDED', 'VERIFICATION_DECIDED', 'OWN_DEMAND_UPDATED', 'ENDORSED_DEMAND_FULFILLED', 'CLAIM_LAPSING', 'WEBHOOK_DISABLED', 'APPLICATION_PERIOD_CLOSED', 'MILESTONE_REPORTED', 'MILESTONE_DECIDED', 'CONTRACT_PAYMENT_RECORDED', 'PROJECT_CLARIFIED'));`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "contract_milestone" drop constraint "contract_milestone_contract_id_foreign";`);

    this.addSql(`alter table "contract_payment" drop constraint "contract_payment_contract_id_foreign";`);

    this.addSql(`alter table "contract_payment" drop constraint "contract_payment_milestone_id_foreign";`);

    this.addSql(`drop table if exists "project_contract" cascade;`);

    this.addSql(`drop table if exists "contract_milestone" cascade;`);

    this.addSql(`drop table if exists "project_outcome_confirmation" cascade;`);

    this.addSql(`drop table if exists "contract_payment" cascade;`);

    this.addSql(`alter table "notification" drop constraint if exists "notification_topic_check";`);

    this.addSql(
      `alter table "notification_preference" drop constraint if exists "notification_preference_topic_check";`,
    );

    this.addSql(
      `alter table "organization_notification_default" drop constraint if exists "organization_notification_default_topic_check";`,
    );

    this.addSql(
      `alter table "notification" add constraint "notification_topic_check" check("topic" in ('DEMAND_MATCHED', 'PROJECT_ELIGIBLE', 'APPLICATION_DECIDED', 'VERIFICATION_DECIDED', 'OWN_DEMAND_UPDATED', 'ENDORSED_DEMAND_FULFILLED', 'CLAIM_LAPSING', 'WEBHOOK_DISABLED', 'APPLICATION_PERIOD_CLOSED', 'PROJECT_CLARIFIED'));`,
    );

    this.addSql(
      `alter table "notification_preference" add constraint "notification_preference_topic_check" check("topic" in ('DEMAND_MATCHED', 'PROJECT_ELIGIBLE', 'APPLICATION_DECIDED', 'VERIFICATION_DECIDED', 'OWN_DEMAND_UPDATED', 'ENDORSED_DEMAND_FULFILLED', 'CLAIM_LAPSING', 'WEBHOOK_DISABLED', 'APPLICATION_PERIOD_CLOSED', 'PROJECT_CLARIFIED'));`,
    );

    this.addSql(
      `alter table "organization_notification_default" add constraint "organization_notification_default_topic_check" check("topic" in ('DEMAND_MATCHED', 'PROJECT_ELIGIBLE', 'APPLICATION_DECIDED', 'VERIFICATION_DECIDED', 'OWN_DEMAND_UPDATED', 'ENDORSED_DEMAND_FULFILLED', 'CLAIM_LAPSING', 'WEBHOOK_DISABLED', 'APPLICATION_PERIOD_CLOSED', 'PROJECT_CLARIFIED'));`,
    );
  }
}
