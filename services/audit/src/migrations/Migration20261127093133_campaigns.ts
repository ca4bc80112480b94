import { Migration } from '@mikro-orm/migrations';

export class Migration20261127093133_campaigns extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "audit"."campaign" ("id" uuid not null, "name" varchar(200) not null, "root_unit_id" uuid not null, "tracked_categories" text[] not null, "reporting_depth" smallint not null, "phase" text check ("phase" in ('SELF_CHECK', 'REMEDIATION', 'ACCEPTANCE', 'CLOSED')) not null default 'SELF_CHECK', "self_check_deadline" date not null, "remediation_deadline" date not null, "acceptance_deadline" date not null, "created_at" timestamptz not null default now(), "created_by" varchar(100) not null, "phase_started_at" timestamptz not null default now(), constraint "campaign_pkey" primary key ("id"), constraint campaign_reporting_depth_check check (reporting_depth >= 0 and reporting_depth <= 10), constraint campaign_categories_check check (cardinality(tracked_categories) >= 1 and cardinality(tracked_categories) <= 7), constraint campaign_deadline_order_check check (self_check_deadline <= remediation_deadline and remediation_deadline <= acceptance_deadline));`);
    this.addSql(`create index "campaign_created_idx" on "audit"."campaign" ("created_at", "id");`);
    this.addSql(`create index "campaign_root_unit_idx" on "audit"."campaign" ("root_unit_id");`);

    this.addSql(`create table "audit"."campaign_round" ("id" uuid not null, "campaign_id" uuid not null, "number" int not null, "label" varchar(200) null, "phase" varchar(16) not null, "published_at" timestamptz not null default now(), "published_by" varchar(100) not null, constraint "campaign_round_pkey" primary key ("id"));`);
    this.addSql(`alter table "audit"."campaign_round" add constraint "campaign_round_number_unique" unique ("campaign_id", "number");`);

    this.addSql(`create table "audit"."campaign_round_unit" ("round_id" uuid not null, "org_unit_id" uuid not null, "depth" smallint not null, "self_report_revision" int null, "declared_computers" int null, "declared_desktops" int null, "declared_laptops" int null, "declared_operators" int null, "measured_computers" int not null, "measured_desktops" int not null, "measured_laptops" int not null, "measured_operators" int not null, constraint "campaign_round_unit_pkey" primary key ("round_id", "org_unit_id"));`);

    this.addSql(`create table "audit"."campaign_round_unit_category" ("round_id" uuid not null, "org_unit_id" uuid not null, "category" varchar(32) not null, "declared_licensed" int null, "measured_licensed" int not null, constraint "campaign_round_unit_category_pkey" primary key ("round_id", "org_unit_id", "category"));`);

    this.addSql(`create table "audit"."self_report" ("id" uuid not null, "campaign_id" uuid not null, "org_unit_id" uuid not null, "revision" int not null, "computers" int not null, "desktops" int not null, "laptops" int not null, "operators" int not null, "submitted_at" timestamptz not null default now(), "submitted_by" varchar(100) not null, "superseded_at" timestamptz null, constraint "self_report_pkey" primary key ("id"), constraint self_report_counts_check check (computers >= 0 and desktops >= 0 and laptops >= 0 and operators >= 0 and desktops + laptops <= computers));`);
    this.addSql(`create unique index "self_report_current_unique" on "audit"."self_report" ("campaign_id", "org_unit_id") where "superseded_at" is null;`);
    this.addSql(`alter table "audit"."self_report" add constraint "self_report_revision_unique" unique ("campaign_id", "org_unit_id", "revision");`);

    this.addSql(`create table "audit"."self_report_licensed" ("self_report_id" uuid not null, "category" varchar(32) not null, "licensed" int not null, constraint "self_report_licensed_pkey" primary key ("self_report_id", "category"), constraint self_report_licensed_check check (licensed >= 0));`);

    this.addSql(`create table "audit"."spot_check" ("id" uuid not null, "campaign_id" uuid not null, "org_unit_id" uuid not null, "seed" varchar(100) not null, "requested_size" int not null, "drawn_at" timestamptz not null default now(), "drawn_by" varchar(100) not null, constraint "spot_check_pkey" primary key ("id"));`);
    this.addSql(`create index "spot_check_campaign_idx" on "audit"."spot_check" ("campaign_id", "drawn_at", "id");`);

    this.addSql(`create table "audit"."spot_check_finding" ("spot_check_id" uuid not null, "machine_id" uuid not null, "category" varchar(32) not null, "finding" text check ("finding" in ('FOUND_LICENSED', 'FOUND_UNLICENSED', 'FOUND_MISSING')) not null, "note" varchar(2000) null, "recorded_at" timestamptz not null default now(), "recorded_by" varchar(100) not null, constraint "spot_check_finding_pkey" primary key ("spot_check_id", "machine_id", "category"));`);

    this.addSql(`create table "audit"."spot_check_machine" ("spot_check_id" uuid not null, "machine_id" uuid not null, "position" int not null, constraint "spot_check_machine_pkey" primary key ("spot_check_id", "machine_id"));`);
    this.addSql(`alter table "audit"."spot_check_machine" add constraint "spot_check_machine_position_unique" unique ("spot_check_id", "position");`);

    this.addSql(`alter table "audit"."campaign_round" add constraint "campaign_round_campaign_id_foreign" foreign key ("campaign_id") references "audit"."campaign" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "audit"."campaign_round_unit" add constraint "campaign_round_unit_round_id_foreign" foreign key ("round_id") references "audit"."campaign_round" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "audit"."campaign_round_unit_category" add constraint "campaign_round_unit_category_round_id_foreign" foreign key ("round_id") references "audit"."campaign_round" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "audit"."self_report" add constraint "self_report_campaign_id_foreign" foreign key ("campaign_id") references "audit"."campaign" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "audit"."self_report_licensed" add constraint "self_report_licensed_self_report_id_foreign" foreign key ("self_report_id") references "audit"."self_report" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "audit"."spot_check" add constraint "spot_check_campaign_id_foreign" foreign key ("campaign_id") references "audit"."campaign" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "audit"."spot_check_finding" add constraint "spot_check_finding_spot_check_id_foreign" foreign key ("spot_check_id") references "audit"."spot_check" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "audit"."spot_check_machine" add constraint "spot_check_machine_spot_check_id_foreign" foreign key ("spot_check_id") references "audit"."spot_check" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "audit"."campaign_round" drop constraint "campaign_round_campaign_id_foreign";`);

    this.addSql(`alter table "audit"."self_report" drop constraint "self_report_campaign_id_foreign";`);

    this.addSql(`alter table "audit"."spot_check" drop constraint "spot_check_campaign_id_foreign";`);

    this.addSql(`alter table "audit"."campaign_round_unit" drop constraint "campaign_round_unit_round_id_foreign";`);

    this.addSql(`alter table "audit"."campaign_round_unit_category" drop constraint "campaign_round_unit_category_round_id_foreign";`);

    this.addSql(`alter table "audit"."self_report_licensed" drop constraint "self_report_licensed_self_report_id_foreign";`);

    this.addSql(`alter table "audit"."spot_check_finding" drop constraint "spot_check_finding_spot_check_id_foreign";`);

    this.addSql(`alter table "audit"."spot_check_machine" drop constraint "spot_check_machine_spot_check_id_foreign";`);

    this.addSql(`drop table if exists "audit"."campaign" cascade;`);

    this.addSql(`drop table if exists "audit"."campaign_round" cascade;`);

    this.addSql(`drop table if exists "audit"."campaign_round_unit" cascade;`);

    this.addSql(`drop table if exists "audit"."campaign_round_unit_category" cascade;`);

    this.addSql(`drop table if exists "audit"."self_report" cascade;`);

    this.addSql(`drop table if exists "audit"."self_report_licensed" cascade;`);

    this.addSql(`drop table if exists "audit"."spot_check" cascade;`);

    this.addSql(`drop table if exists "audit"."spot_check_finding" cascade;`);

    this.addSql(`drop table if exists "audit"."spot_check_machine" cascade;`);
  }

}
