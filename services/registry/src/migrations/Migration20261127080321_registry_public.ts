import { Migration } from '@mikro-orm/migrations';

/**
 * `registry_public`: the read contract between the registry and the audit service (DESIGN → Ownership rules).
 * The audit service reads registry data only through these views, never the registry's tables, so the registry
 * may reshape its tables freely as long as the views keep their columns. Every view is documented with
 * COMMENT ON, so the contract can be read from the database itself (`\d+ registry_public.*`).
 */
export class Migration20261127080321_registry_public extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create schema if not exists "registry_public";`);
    this.addSql(`comment on schema "registry_public" is 'Read contract of the registry for the audit service: views only, stable columns.';`);

    this.addSql(`create view "registry_public"."org_unit" as
      select id, code, name, kind::text as kind, parent_id from "registry"."org_unit";`);
    this.addSql(`comment on view "registry_public"."org_unit" is 'Org units: id, unique code (the agents'' TAG), name, kind, parent (null for a root).';`);

    this.addSql(`create view "registry_public"."org_unit_ancestry" as
      select descendant_id as unit_id, ancestor_id, depth from "registry"."org_unit_closure";`);
    this.addSql(`comment on view "registry_public"."org_unit_ancestry" is 'Transitive closure of the unit tree: one row per (unit, ancestor) including the unit itself at depth 0; subtree = rows with a given ancestor_id.';`);

    this.addSql(`create view "registry_public"."machine" as
      select id, org_unit_id, asset_tag, hostname, serial_number, uuid, kind::text as kind, operator, status::text as status
        from "registry"."machine";`);
    this.addSql(`comment on view "registry_public"."machine" is 'Machines (hardware assets) with their owning unit; status ACTIVE or RETIRED. Identity for agents: uuid, then serial_number, then hostname within org_unit_id.';`);

    this.addSql(`create view "registry_public"."change_log" as
      select id, tx_id, occurred_at, entity, entity_id, action, org_unit_ids, details from "registry"."change_log";`);
    this.addSql(`comment on view "registry_public"."change_log" is 'Append-only log of registry changes that can move compliance, ids are taken at insert, so read rows with id > watermark and advance the watermark only past rows whose tx_id < pg_snapshot_xmin(pg_current_snapshot()). NOTIFY genuine_registry_change is sent on commit.';`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop schema if exists "registry_public" cascade;`);
  }
}
