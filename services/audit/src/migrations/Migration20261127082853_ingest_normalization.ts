import { Migration } from '@mikro-orm/migrations';

export class Migration20261127082853_ingest_normalization extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "audit"."normalization_rule" ("id" uuid not null, "key" varchar(100) null, "name_pattern" varchar(500) null, "publisher_pattern" varchar(500) null, "version_pattern" varchar(500) null, "edition_id" uuid null, "ignore" boolean not null, "priority" int not null, "created_at" timestamptz not null default now(), "created_by" varchar(100) not null, "removed_at" timestamptz null, "removed_by" varchar(100) null, constraint "normalization_rule_pkey" primary key ("id"), constraint normalization_rule_pattern_check check (coalesce(name_pattern, publisher_pattern, version_pattern) is not null), constraint normalization_rule_target_check check ((ignore and edition_id is null) or (not ignore and edition_id is not null)));`);
    this.addSql(`create index "normalization_rule_active_idx" on "audit"."normalization_rule" ("priority" desc, "id") where "removed_at" is null;`);
    this.addSql(`alter table "audit"."normalization_rule" add constraint "normalization_rule_key_unique" unique ("key");`);

    this.addSql(`create table "audit"."software_title" ("id" uuid not null, "name" varchar(1024) not null, "version" varchar(1024) null, "publisher" varchar(1024) null, "edition_id" uuid null, "ignored" boolean not null default false, "rule_id" uuid null, "recognized_at" timestamptz not null default now(), "created_at" timestamptz not null default now(), constraint "software_title_pkey" primary key ("id"));`);
    this.addSql(`create index "software_title_unrecognized_idx" on "audit"."software_title" ("id") where "rule_id" is null;`);
    this.addSql(`create index "software_title_rule_idx" on "audit"."software_title" ("rule_id");`);

    this.addSql(`drop index "audit"."inventory_report_machine_idx";`);

    this.addSql(`alter table "audit"."inventory_report" add column "org_unit_id" uuid null, add column "partial" boolean not null default false, add column "reason" varchar(500) null, add column "actor_id" varchar(100) not null, add column "request_id" varchar(128) not null;`);
    this.addSql(`alter table "audit"."inventory_report" alter column "machine_id" drop default;`);
    this.addSql(`alter table "audit"."inventory_report" alter column "machine_id" type uuid using ("machine_id"::text::uuid);`);
    this.addSql(`alter table "audit"."inventory_report" alter column "machine_id" drop not null;`);
    this.addSql(`alter table "audit"."inventory_report" alter column "tag" type varchar(255) using ("tag"::varchar(255));`);
    this.addSql(`alter table "audit"."inventory_report" alter column "checksum" type varchar(64) using ("checksum"::varchar(64));`);
    this.addSql(`alter table "audit"."inventory_report" alter column "checksum" drop not null;`);
    this.addSql(`create index "inventory_report_machine_idx" on "audit"."inventory_report" ("machine_id", "received_at", "id");`);

    this.addSql(`alter table "audit"."machine_inventory" add column "source" varchar(32) not null, add column "device_id" varchar(255) not null, add column "last_applied_at" timestamptz not null, add column "operating_system" varchar(1024) null, add column "antivirus" jsonb not null default '[]', add column "license_keys" jsonb not null default '[]';`);
    this.addSql(`create index "machine_inventory_last_report_idx" on "audit"."machine_inventory" ("last_report_at", "machine_id");`);

    this.addSql(`drop index "audit"."installation_machine_idx";`);
    this.addSql(`alter table "audit"."installation" drop column "raw_name", drop column "raw_version", drop column "raw_publisher", drop column "edition_id";`);

    this.addSql(`alter table "audit"."installation" add column "title_id" uuid not null;`);
    this.addSql(`alter table "audit"."installation" alter column "arch" type varchar(64) using ("arch"::varchar(64));`);
    this.addSql(`alter table "audit"."installation" alter column "arch" set default '';`);
    this.addSql(`alter table "audit"."installation" alter column "arch" set not null;`);
    this.addSql(`alter table "audit"."installation" add constraint "installation_title_id_foreign" foreign key ("title_id") references "audit"."software_title" ("id") on update cascade on delete restrict;`);
    this.addSql(`create index "installation_title_idx" on "audit"."installation" ("title_id");`);
    this.addSql(`alter table "audit"."installation" add constraint "installation_machine_title_unique" unique ("machine_id", "title_id", "arch", "is_operating_system");`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "audit"."installation" drop constraint "installation_title_id_foreign";`);

    this.addSql(`drop table if exists "audit"."normalization_rule" cascade;`);

    this.addSql(`drop table if exists "audit"."software_title" cascade;`);

    this.addSql(`drop index "audit"."installation_title_idx";`);
    this.addSql(`alter table "audit"."installation" drop constraint "installation_machine_title_unique";`);
    this.addSql(`alter table "audit"."installation" drop column "title_id";`);

    this.addSql(`alter table "audit"."installation" add column "raw_name" varchar(512) not null, add column "raw_version" varchar(255) null, add column "raw_publisher" varchar(255) null, add column "edition_id" uuid null;`);
    this.addSql(`alter table "audit"."installation" alter column "arch" drop default;`);
    this.addSql(`alter table "audit"."installation" alter column "arch" type varchar(32) using ("arch"::varchar(32));`);
    this.addSql(`alter table "audit"."installation" alter column "arch" drop not null;`);
    this.addSql(`create index "installation_machine_idx" on "audit"."installation" ("machine_id", "raw_name", "id");`);

    this.addSql(`drop index "audit"."inventory_report_machine_idx";`);
    this.addSql(`alter table "audit"."inventory_report" drop column "org_unit_id", drop column "partial", drop column "reason", drop column "actor_id", drop column "request_id";`);

    this.addSql(`alter table "audit"."inventory_report" alter column "machine_id" drop default;`);
    this.addSql(`alter table "audit"."inventory_report" alter column "machine_id" type uuid using ("machine_id"::text::uuid);`);
    this.addSql(`alter table "audit"."inventory_report" alter column "machine_id" set not null;`);
    this.addSql(`alter table "audit"."inventory_report" alter column "tag" type varchar(64) using ("tag"::varchar(64));`);
    this.addSql(`alter table "audit"."inventory_report" alter column "checksum" type varchar(64) using ("checksum"::varchar(64));`);
    this.addSql(`alter table "audit"."inventory_report" alter column "checksum" set not null;`);
    this.addSql(`create index "inventory_report_machine_idx" on "audit"."inventory_report" ("machine_id", "received_at");`);

    this.addSql(`drop index "audit"."machine_inventory_last_report_idx";`);
    this.addSql(`alter table "audit"."machine_inventory" drop column "source", drop column "device_id", drop column "last_applied_at", drop column "operating_system", drop column "antivirus", drop column "license_keys";`);
  }

}
