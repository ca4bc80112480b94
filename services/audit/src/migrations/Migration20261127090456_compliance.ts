import { Migration } from '@mikro-orm/migrations';

export class Migration20261127090456_compliance extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "audit"."compliance_dirty_machine" ("machine_id" uuid not null, constraint "compliance_dirty_machine_pkey" primary key ("machine_id"));`);

    this.addSql(`create table "audit"."compliance_install" ("machine_id" uuid not null, "edition_id" uuid not null, "product_id" uuid not null, "category" varchar(32) not null, "org_unit_id" uuid not null, "licensable" boolean not null, "basis" varchar(8) null, "entitlement_id" uuid null, constraint "compliance_install_pkey" primary key ("machine_id", "edition_id"));`);
    this.addSql(`create index "compliance_install_product_idx" on "audit"."compliance_install" ("product_id", "basis");`);
    this.addSql(`create index "compliance_install_entitlement_idx" on "audit"."compliance_install" ("entitlement_id");`);
    this.addSql(`create index "compliance_install_unit_idx" on "audit"."compliance_install" ("org_unit_id", "edition_id");`);

    this.addSql(`create table "audit"."compliance_machine_category" ("machine_id" uuid not null, "category" varchar(32) not null, "org_unit_id" uuid not null, "status" varchar(16) not null, constraint "compliance_machine_category_pkey" primary key ("machine_id", "category"));`);
    this.addSql(`create index "compliance_machine_category_unit_idx" on "audit"."compliance_machine_category" ("org_unit_id", "category", "status");`);

    this.addSql(`create table "audit"."compliance_position" ("org_unit_id" uuid not null, "edition_id" uuid not null, "installs" int not null, "covered" int not null, "entitled" int not null, "assigned" int not null, "pooled" int not null, constraint "compliance_position_pkey" primary key ("org_unit_id", "edition_id"));`);
    this.addSql(`create index "compliance_position_edition_idx" on "audit"."compliance_position" ("edition_id");`);

    this.addSql(`create table "audit"."compliance_state" ("id" smallint not null, "change_watermark" bigint not null default 0, "evaluated_on" date null, "recomputed_at" timestamptz null, constraint "compliance_state_pkey" primary key ("id"));`);

    this.addSql(`create table "audit"."compliance_unit" ("org_unit_id" uuid not null, "machine_count" int not null, "fully_licensed" int not null, constraint "compliance_unit_pkey" primary key ("org_unit_id"));`);

    this.addSql(`create table "audit"."compliance_unit_category" ("org_unit_id" uuid not null, "category" varchar(32) not null, "machine_count" int not null, "licensed" int not null, "unlicensed" int not null, "missing" int not null, constraint "compliance_unit_category_pkey" primary key ("org_unit_id", "category"));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "audit"."compliance_dirty_machine" cascade;`);

    this.addSql(`drop table if exists "audit"."compliance_install" cascade;`);

    this.addSql(`drop table if exists "audit"."compliance_machine_category" cascade;`);

    this.addSql(`drop table if exists "audit"."compliance_position" cascade;`);

    this.addSql(`drop table if exists "audit"."compliance_state" cascade;`);

    this.addSql(`drop table if exists "audit"."compliance_unit" cascade;`);

    this.addSql(`drop table if exists "audit"."compliance_unit_category" cascade;`);
  }

}
