import { Migration } from '@mikro-orm/migrations';

export class Migration20261127082814_domain extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create type "registry"."software_category" as enum ('OPERATING_SYSTEM', 'OFFICE', 'ANTIVIRUS', 'DATABASE', 'DESIGN', 'DEVELOPMENT', 'OTHER');`);
    this.addSql(`create type "registry"."license_metric" as enum ('PER_DEVICE', 'PER_USER', 'SITE', 'CONCURRENT', 'PER_CORE');`);
    this.addSql(`create type "registry"."entitlement_type" as enum ('PERPETUAL', 'SUBSCRIPTION', 'OEM', 'VOLUME');`);
    this.addSql(`create type "registry"."allocation" as enum ('ASSIGNED', 'POOLED');`);
    this.addSql(`create table "registry"."person" ("id" uuid not null, "org_unit_id" uuid not null, "name" varchar(200) not null, "employee_number" varchar(64) null, "email" varchar(254) null, "created_at" timestamptz not null default now(), constraint "person_pkey" primary key ("id"));`);
    this.addSql(`alter table "registry"."person" add constraint "person_employee_number_unique" unique ("employee_number");`);
    this.addSql(`alter table "registry"."person" add constraint "person_unit_name_unique" unique ("org_unit_id", "name");`);

    this.addSql(`create table "registry"."publisher" ("id" uuid not null, "name" varchar(200) not null, "aliases" text[] not null default '{}', "created_at" timestamptz not null default now(), constraint "publisher_pkey" primary key ("id"));`);
    this.addSql(`alter table "registry"."publisher" add constraint "publisher_name_unique" unique ("name");`);

    this.addSql(`create table "registry"."product" ("id" uuid not null, "publisher_id" uuid not null, "name" varchar(200) not null, "category" "registry"."software_category" not null, "licensable" boolean not null, "code" varchar(64) null, "retired_at" timestamptz null, "created_at" timestamptz not null default now(), constraint "product_pkey" primary key ("id"));`);
    this.addSql(`alter table "registry"."product" add constraint "product_code_unique" unique ("code");`);
    this.addSql(`alter table "registry"."product" add constraint "product_publisher_name_unique" unique ("publisher_id", "name");`);

    this.addSql(`create table "registry"."edition" ("id" uuid not null, "product_id" uuid not null, "name" varchar(200) not null, "version" varchar(64) null, "sku" varchar(100) null, "metric" "registry"."license_metric" not null, "list_price" numeric(19,4) null, "list_currency" char(3) null, "code" varchar(64) null, "retired_at" timestamptz null, "created_at" timestamptz not null default now(), constraint "edition_pkey" primary key ("id"), constraint edition_list_price_check check ((list_price is null) = (list_currency is null) and (list_price is null or list_price >= 0)));`);
    this.addSql(`create index "edition_product_idx" on "registry"."edition" ("product_id");`);
    this.addSql(`alter table "registry"."edition" add constraint "edition_code_unique" unique ("code");`);
    this.addSql(`alter table "registry"."edition" add constraint "edition_product_name_unique" unique ("product_id", "name");`);

    this.addSql(`create table "registry"."edition_suite_product" ("edition_id" uuid not null, "product_id" uuid not null, constraint "edition_suite_product_pkey" primary key ("edition_id", "product_id"));`);
    this.addSql(`create index "edition_suite_product_product_idx" on "registry"."edition_suite_product" ("product_id");`);

    this.addSql(`create table "registry"."edition_downgrade" ("edition_id" uuid not null, "covered_edition_id" uuid not null, constraint "edition_downgrade_pkey" primary key ("edition_id", "covered_edition_id"), constraint edition_downgrade_not_self_check check (edition_id <> covered_edition_id));`);
    this.addSql(`create index "edition_downgrade_covered_idx" on "registry"."edition_downgrade" ("covered_edition_id");`);

    this.addSql(`create table "registry"."supplier" ("id" uuid not null, "name" varchar(200) not null, "created_at" timestamptz not null default now(), constraint "supplier_pkey" primary key ("id"));`);
    this.addSql(`alter table "registry"."supplier" add constraint "supplier_name_unique" unique ("name");`);

    this.addSql(`create table "registry"."purchase" ("id" uuid not null, "org_unit_id" uuid not null, "supplier_id" uuid not null, "order_number" varchar(100) not null, "invoice_number" varchar(100) null, "purchased_on" date not null, "procurement_method" varchar(100) null, "currency" char(3) not null, "created_at" timestamptz not null default now(), constraint "purchase_pkey" primary key ("id"), constraint purchase_currency_check check (currency ~ '^[A-Z]{3}\$'));`);
    this.addSql(`create index "purchase_unit_date_idx" on "registry"."purchase" ("org_unit_id", "purchased_on");`);
    this.addSql(`alter table "registry"."purchase" add constraint "purchase_supplier_order_unique" unique ("supplier_id", "order_number");`);

    this.addSql(`create table "registry"."entitlement" ("id" uuid not null, "edition_id" uuid not null, "org_unit_id" uuid not null, "purchase_id" uuid null, "line_no" smallint null, "quantity" int not null, "metric" "registry"."license_metric" not null, "type" "registry"."entitlement_type" not null, "allocation" "registry"."allocation" not null, "valid_from" date not null, "valid_until" date null, "unit_price" numeric(19,4) null, "currency" char(3) null, "asset_tag" varchar(100) null, "oem_machine_id" uuid null, "retired_at" timestamptz null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "entitlement_pkey" primary key ("id"), constraint entitlement_price_check check ((unit_price is null) = (currency is null) and (unit_price is null or unit_price >= 0)), constraint entitlement_validity_check check (valid_until is null or valid_until >= valid_from), constraint entitlement_quantity_check check (quantity > 0));`);
    this.addSql(`create index "entitlement_purchase_idx" on "registry"."entitlement" ("purchase_id");`);
    this.addSql(`create index "entitlement_edition_idx" on "registry"."entitlement" ("edition_id");`);
    this.addSql(`create index "entitlement_unit_idx" on "registry"."entitlement" ("org_unit_id");`);

    this.addSql(`create table "registry"."license_key" ("id" uuid not null, "entitlement_id" uuid not null, "sealed" bytea not null, "fingerprint" bytea not null, "masked" varchar(255) not null, "created_by" varchar(100) not null, "created_at" timestamptz not null default now(), constraint "license_key_pkey" primary key ("id"));`);
    this.addSql(`create index "license_key_entitlement_idx" on "registry"."license_key" ("entitlement_id", "created_at");`);
    this.addSql(`alter table "registry"."license_key" add constraint "license_key_fingerprint_unique" unique ("entitlement_id", "fingerprint");`);

    this.addSql(`create table "registry"."assignment" ("id" uuid not null, "entitlement_id" uuid not null, "machine_id" uuid null, "person_id" uuid null, "assigned_at" timestamptz not null default now(), "assigned_by" varchar(100) not null, "revoked_at" timestamptz null, "revoked_by" varchar(100) null, constraint "assignment_pkey" primary key ("id"), constraint assignment_holder_check check (num_nonnulls(machine_id, person_id) = 1));`);
    this.addSql(`create index "assignment_person_idx" on "registry"."assignment" ("person_id");`);
    this.addSql(`create index "assignment_machine_idx" on "registry"."assignment" ("machine_id");`);
    this.addSql(`create index "assignment_entitlement_idx" on "registry"."assignment" ("entitlement_id", "assigned_at");`);
    this.addSql(`create unique index "assignment_active_person_unique" on "registry"."assignment" ("entitlement_id", "person_id") where "revoked_at" is null and "person_id" is not null;`);
    this.addSql(`create unique index "assignment_active_machine_unique" on "registry"."assignment" ("entitlement_id", "machine_id") where "revoked_at" is null and "machine_id" is not null;`);

    this.addSql(`alter table "registry"."person" add constraint "person_org_unit_id_foreign" foreign key ("org_unit_id") references "registry"."org_unit" ("id") on update cascade on delete restrict;`);

    this.addSql(`alter table "registry"."product" add constraint "product_publisher_id_foreign" foreign key ("publisher_id") references "registry"."publisher" ("id") on update cascade on delete restrict;`);

    this.addSql(`alter table "registry"."edition" add constraint "edition_product_id_foreign" foreign key ("product_id") references "registry"."product" ("id") on update cascade on delete restrict;`);

    this.addSql(`alter table "registry"."edition_suite_product" add constraint "edition_suite_product_edition_id_foreign" foreign key ("edition_id") references "registry"."edition" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "registry"."edition_suite_product" add constraint "edition_suite_product_product_id_foreign" foreign key ("product_id") references "registry"."product" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "registry"."edition_downgrade" add constraint "edition_downgrade_edition_id_foreign" foreign key ("edition_id") references "registry"."edition" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "registry"."edition_downgrade" add constraint "edition_downgrade_covered_edition_id_foreign" foreign key ("covered_edition_id") references "registry"."edition" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "registry"."purchase" add constraint "purchase_org_unit_id_foreign" foreign key ("org_unit_id") references "registry"."org_unit" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "registry"."purchase" add constraint "purchase_supplier_id_foreign" foreign key ("supplier_id") references "registry"."supplier" ("id") on update cascade on delete restrict;`);

    this.addSql(`alter table "registry"."entitlement" add constraint "entitlement_edition_id_foreign" foreign key ("edition_id") references "registry"."edition" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "registry"."entitlement" add constraint "entitlement_org_unit_id_foreign" foreign key ("org_unit_id") references "registry"."org_unit" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "registry"."entitlement" add constraint "entitlement_purchase_id_foreign" foreign key ("purchase_id") references "registry"."purchase" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "registry"."entitlement" add constraint "entitlement_oem_machine_id_foreign" foreign key ("oem_machine_id") references "registry"."machine" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "registry"."license_key" add constraint "license_key_entitlement_id_foreign" foreign key ("entitlement_id") references "registry"."entitlement" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "registry"."assignment" add constraint "assignment_entitlement_id_foreign" foreign key ("entitlement_id") references "registry"."entitlement" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "registry"."assignment" add constraint "assignment_machine_id_foreign" foreign key ("machine_id") references "registry"."machine" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "registry"."assignment" add constraint "assignment_person_id_foreign" foreign key ("person_id") references "registry"."person" ("id") on update cascade on delete restrict;`);

    this.addSql(`alter table "registry"."audit_event" add column "org_unit_ids" uuid[] not null default '{}';`);
    this.addSql(`create index "audit_event_org_units_idx" on "registry"."audit_event" using gin ("org_unit_ids");`);

    this.addSql(`alter table "registry"."machine" add column "operator_person_id" uuid null, add column "retired_at" timestamptz null;`);
    this.addSql(`alter table "registry"."machine" add constraint "machine_operator_person_id_foreign" foreign key ("operator_person_id") references "registry"."person" ("id") on update cascade on delete set null;`);
    this.addSql(`create index "machine_operator_person_idx" on "registry"."machine" ("operator_person_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "registry"."machine" drop constraint "machine_operator_person_id_foreign";`);

    this.addSql(`alter table "registry"."assignment" drop constraint "assignment_person_id_foreign";`);

    this.addSql(`alter table "registry"."product" drop constraint "product_publisher_id_foreign";`);

    this.addSql(`alter table "registry"."edition" drop constraint "edition_product_id_foreign";`);

    this.addSql(`alter table "registry"."edition_suite_product" drop constraint "edition_suite_product_product_id_foreign";`);

    this.addSql(`alter table "registry"."edition_suite_product" drop constraint "edition_suite_product_edition_id_foreign";`);

    this.addSql(`alter table "registry"."edition_downgrade" drop constraint "edition_downgrade_edition_id_foreign";`);

    this.addSql(`alter table "registry"."edition_downgrade" drop constraint "edition_downgrade_covered_edition_id_foreign";`);

    this.addSql(`alter table "registry"."entitlement" drop constraint "entitlement_edition_id_foreign";`);

    this.addSql(`alter table "registry"."purchase" drop constraint "purchase_supplier_id_foreign";`);

    this.addSql(`alter table "registry"."entitlement" drop constraint "entitlement_purchase_id_foreign";`);

    this.addSql(`alter table "registry"."license_key" drop constraint "license_key_entitlement_id_foreign";`);

    this.addSql(`alter table "registry"."assignment" drop constraint "assignment_entitlement_id_foreign";`);

    this.addSql(`drop table if exists "registry"."person" cascade;`);

    this.addSql(`drop table if exists "registry"."publisher" cascade;`);

    this.addSql(`drop table if exists "registry"."product" cascade;`);

    this.addSql(`drop table if exists "registry"."edition" cascade;`);

    this.addSql(`drop table if exists "registry"."edition_suite_product" cascade;`);

    this.addSql(`drop table if exists "registry"."edition_downgrade" cascade;`);

    this.addSql(`drop table if exists "registry"."supplier" cascade;`);

    this.addSql(`drop table if exists "registry"."purchase" cascade;`);

    this.addSql(`drop table if exists "registry"."entitlement" cascade;`);

    this.addSql(`drop table if exists "registry"."license_key" cascade;`);

    this.addSql(`drop table if exists "registry"."assignment" cascade;`);

    this.addSql(`drop index "registry"."audit_event_org_units_idx";`);
    this.addSql(`alter table "registry"."audit_event" drop column "org_unit_ids";`);

    this.addSql(`drop index "registry"."machine_operator_person_idx";`);
    this.addSql(`alter table "registry"."machine" drop column "operator_person_id", drop column "retired_at";`);

    this.addSql(`drop type "registry"."software_category";`);
    this.addSql(`drop type "registry"."license_metric";`);
    this.addSql(`drop type "registry"."entitlement_type";`);
    this.addSql(`drop type "registry"."allocation";`);
  }

}
