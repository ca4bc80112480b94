import { Migration } from '@mikro-orm/migrations';

/**
 * Keeps the install side of each position (licensable installs of an edition in a unit, and how many are covered)
 * in step with `compliance_install` by deltas: an incremental update then costs what the changed machines cost,
 * not what their unit holds. Statement-level triggers with transition tables, one upsert per statement. The seat
 * side (entitled, assigned, pooled) is written by the engine for the units whose seats changed; a row that ends
 * with nothing on either side is removed there.
 */
export class Migration20261127113228_compliance_position_deltas extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create function "audit"."compliance_position_installs"() returns trigger language plpgsql as $$
      begin
        if tg_op = 'INSERT' then
          insert into audit.compliance_position as p (org_unit_id, edition_id, installs, covered, entitled, assigned, pooled)
          select org_unit_id, edition_id, count(*), count(*) filter (where basis is not null), 0, 0, 0
            from new_rows where licensable group by org_unit_id, edition_id
          on conflict (org_unit_id, edition_id) do update set installs = p.installs + excluded.installs, covered = p.covered + excluded.covered;
        elsif tg_op = 'UPDATE' then
          insert into audit.compliance_position as p (org_unit_id, edition_id, installs, covered, entitled, assigned, pooled)
          select org_unit_id, edition_id, sum(installs), sum(covered), 0, 0, 0
            from (select org_unit_id, edition_id, -1 as installs, -(basis is not null)::int as covered from old_rows where licensable
                  union all
                  select org_unit_id, edition_id, 1, (basis is not null)::int from new_rows where licensable) d
           group by org_unit_id, edition_id having sum(installs) <> 0 or sum(covered) <> 0
          on conflict (org_unit_id, edition_id) do update set installs = p.installs + excluded.installs, covered = p.covered + excluded.covered;
        else
          insert into audit.compliance_position as p (org_unit_id, edition_id, installs, covered, entitled, assigned, pooled)
          select org_unit_id, edition_id, -count(*), -count(*) filter (where basis is not null), 0, 0, 0
            from old_rows where licensable group by org_unit_id, edition_id
          on conflict (org_unit_id, edition_id) do update set installs = p.installs + excluded.installs, covered = p.covered + excluded.covered;
        end if;
        return null;
      end $$;`);
    this.addSql(`create trigger compliance_install_position_insert after insert on "audit"."compliance_install"
      referencing new table as new_rows for each statement execute function "audit"."compliance_position_installs"();`);
    this.addSql(`create trigger compliance_install_position_update after update on "audit"."compliance_install"
      referencing new table as new_rows old table as old_rows for each statement execute function "audit"."compliance_position_installs"();`);
    this.addSql(`create trigger compliance_install_position_delete after delete on "audit"."compliance_install"
      referencing old table as old_rows for each statement execute function "audit"."compliance_position_installs"();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists compliance_install_position_insert on "audit"."compliance_install";`);
    this.addSql(`drop trigger if exists compliance_install_position_update on "audit"."compliance_install";`);
    this.addSql(`drop trigger if exists compliance_install_position_delete on "audit"."compliance_install";`);
    this.addSql(`drop function if exists "audit"."compliance_position_installs"();`);
  }
}
