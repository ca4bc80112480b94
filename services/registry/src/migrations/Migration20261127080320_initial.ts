import { Migration } from '@mikro-orm/migrations';

export class Migration20261127080320_initial extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create schema if not exists "registry";`);
    this.addSql(`create type "registry"."org_unit_kind" as enum ('PROVINCE', 'CITY', 'DISTRICT', 'COUNTY', 'DEPARTMENT', 'TOWNSHIP', 'DEVELOPMENT_ZONE', 'OTHER');`);
    this.addSql(`create type "registry"."machine_kind" as enum ('DESKTOP', 'LAPTOP', 'SERVER', 'VIRTUAL');`);
    this.addSql(`create type "registry"."machine_status" as enum ('ACTIVE', 'RETIRED');`);
    this.addSql(`create table "registry"."audit_event" ("id" bigserial primary key, "occurred_at" timestamptz not null default now(), "actor_id" varchar(100) not null, "actor_role" varchar(32) not null, "action" varchar(64) not null, "entity" varchar(64) not null, "entity_id" uuid not null, "before" jsonb null, "after" jsonb null, "request_id" varchar(128) not null);`);
    this.addSql(`create index "audit_event_entity_idx" on "registry"."audit_event" ("entity_id", "id");`);

    this.addSql(`create table "registry"."change_log" ("id" bigserial primary key, "occurred_at" timestamptz not null default now(), "tx_id" xid8 not null default pg_current_xact_id(), "entity" varchar(64) not null, "entity_id" uuid not null, "action" varchar(64) not null, "org_unit_ids" text[] not null, "details" jsonb null);`);

    this.addSql(`create table "registry"."org_unit" ("id" uuid not null, "code" varchar(64) not null, "name" varchar(200) not null, "kind" "registry"."org_unit_kind" not null, "parent_id" uuid null, "created_at" timestamptz not null default now(), constraint "org_unit_pkey" primary key ("id"));`);
    this.addSql(`alter table "registry"."org_unit" add constraint "org_unit_code_unique" unique ("code");`);
    this.addSql(`create index "org_unit_parent_idx" on "registry"."org_unit" ("parent_id");`);

    this.addSql(`create table "registry"."machine" ("id" uuid not null, "org_unit_id" uuid not null, "asset_tag" varchar(100) null, "hostname" varchar(255) null, "serial_number" varchar(255) null, "uuid" varchar(64) null, "kind" "registry"."machine_kind" not null, "operator" varchar(200) null, "status" "registry"."machine_status" not null default 'ACTIVE', "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "machine_pkey" primary key ("id"));`);
    this.addSql(`create index "machine_unit_order_idx" on "registry"."machine" ("org_unit_id", "hostname", "id");`);
    this.addSql(`create unique index "machine_unit_hostname_unique" on "registry"."machine" ("org_unit_id", "hostname") where "hostname" is not null;`);
    this.addSql(`create unique index "machine_serial_unique" on "registry"."machine" ("serial_number") where "serial_number" is not null;`);
    this.addSql(`create unique index "machine_uuid_unique" on "registry"."machine" ("uuid") where "uuid" is not null;`);

    this.addSql(`create table "registry"."org_unit_closure" ("ancestor_id" uuid not null, "descendant_id" uuid not null, "depth" smallint not null, constraint "org_unit_closure_pkey" primary key ("ancestor_id", "descendant_id"));`);
    this.addSql(`create index "org_unit_closure_descendant_idx" on "registry"."org_unit_closure" ("descendant_id", "depth");`);

    this.addSql(`alter table "registry"."org_unit" add constraint "org_unit_parent_id_foreign" foreign key ("parent_id") references "registry"."org_unit" ("id") on update cascade on delete restrict;`);

    this.addSql(`alter table "registry"."machine" add constraint "machine_org_unit_id_foreign" foreign key ("org_unit_id") references "registry"."org_unit" ("id") on update cascade on delete restrict;`);

    this.addSql(`alter table "registry"."org_unit_closure" add constraint "org_unit_closure_ancestor_id_foreign" foreign key ("ancestor_id") references "registry"."org_unit" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "registry"."org_unit_closure" add constraint "org_unit_closure_descendant_id_foreign" foreign key ("descendant_id") references "registry"."org_unit" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "registry"."org_unit" drop constraint "org_unit_parent_id_foreign";`);

    this.addSql(`alter table "registry"."machine" drop constraint "machine_org_unit_id_foreign";`);

    this.addSql(`alter table "registry"."org_unit_closure" drop constraint "org_unit_closure_ancestor_id_foreign";`);

    this.addSql(`alter table "registry"."org_unit_closure" drop constraint "org_unit_closure_descendant_id_foreign";`);

    this.addSql(`drop table if exists "registry"."audit_event" cascade;`);

    this.addSql(`drop table if exists "registry"."change_log" cascade;`);

    this.addSql(`drop table if exists "registry"."org_unit" cascade;`);

    this.addSql(`drop table if exists "registry"."machine" cascade;`);

    this.addSql(`drop table if exists "registry"."org_unit_closure" cascade;`);

    this.addSql(`drop type "registry"."org_unit_kind";`);
    this.addSql(`drop type "registry"."machine_kind";`);
    this.addSql(`drop type "registry"."machine_status";`);
    this.addSql(`drop schema if exists "registry";`);
  }

}
