import { Migration } from '@mikro-orm/migrations';

export class Migration20261127080253_initial extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create schema if not exists "audit";`);
    this.addSql(`create table "audit"."installation" ("id" bigserial primary key, "machine_id" uuid not null, "raw_name" varchar(512) not null, "raw_version" varchar(255) null, "raw_publisher" varchar(255) null, "arch" varchar(32) null, "is_operating_system" boolean not null default false, "edition_id" uuid null, "first_seen_at" timestamptz not null default now(), "last_seen_at" timestamptz not null default now());`);
    this.addSql(`create index "installation_machine_idx" on "audit"."installation" ("machine_id", "raw_name", "id");`);

    this.addSql(`create table "audit"."inventory_report" ("id" bigserial primary key, "machine_id" uuid not null, "source" varchar(32) not null, "device_id" varchar(255) not null, "tag" varchar(64) null, "received_at" timestamptz not null default now(), "collected_at" timestamptz null, "checksum" varchar(64) not null, "software_count" int not null, "outcome" varchar(16) not null);`);
    this.addSql(`create index "inventory_report_machine_idx" on "audit"."inventory_report" ("machine_id", "received_at");`);

    this.addSql(`create table "audit"."machine_inventory" ("machine_id" uuid not null, "last_report_at" timestamptz not null, "last_collected_at" timestamptz null, "checksum" varchar(64) not null, constraint "machine_inventory_pkey" primary key ("machine_id"));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "audit"."installation" cascade;`);

    this.addSql(`drop table if exists "audit"."inventory_report" cascade;`);

    this.addSql(`drop table if exists "audit"."machine_inventory" cascade;`);

    this.addSql(`drop schema if exists "audit";`);
  }

}
