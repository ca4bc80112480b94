import { Migration } from '@mikro-orm/migrations';

/**
 * Marks machines dirty for the compliance engine whenever what they have installed, or what their titles are
 * recognized as, changes — whatever code path wrote it (ingest, replay, a future importer). Statement-level
 * triggers with transition tables: one insert per statement, not per row. The NOTIFY wakes the engine's worker
 * at commit; it also polls, so a missed notification only delays.
 */
export class Migration20261127090457_compliance_triggers extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create function "audit"."compliance_mark_installations"() returns trigger language plpgsql as $$
      begin
        if tg_op in ('INSERT', 'UPDATE') then
          insert into audit.compliance_dirty_machine (machine_id) select distinct machine_id from new_rows on conflict do nothing;
        end if;
        if tg_op in ('DELETE', 'UPDATE') then
          insert into audit.compliance_dirty_machine (machine_id) select distinct machine_id from old_rows on conflict do nothing;
        end if;
        perform pg_notify('genuine_compliance_dirty', '');
        return null;
      end $$;`);
    this.addSql(`create trigger compliance_installation_insert after insert on "audit"."installation"
      referencing new table as new_rows for each statement execute function "audit"."compliance_mark_installations"();`);
    this.addSql(`create trigger compliance_installation_update after update on "audit"."installation"
      referencing new table as new_rows old table as old_rows for each statement execute function "audit"."compliance_mark_installations"();`);
    this.addSql(`create trigger compliance_installation_delete after delete on "audit"."installation"
      referencing old table as old_rows for each statement execute function "audit"."compliance_mark_installations"();`);

    this.addSql(`create function "audit"."compliance_mark_titles"() returns trigger language plpgsql as $$
      begin
        insert into audit.compliance_dirty_machine (machine_id)
        select distinct i.machine_id
          from new_rows n join old_rows o on o.id = n.id
          join audit.installation i on i.title_id = n.id
         where n.edition_id is distinct from o.edition_id or n.ignored is distinct from o.ignored
        on conflict do nothing;
        perform pg_notify('genuine_compliance_dirty', '');
        return null;
      end $$;`);
    this.addSql(`create trigger compliance_title_update after update on "audit"."software_title"
      referencing new table as new_rows old table as old_rows for each statement execute function "audit"."compliance_mark_titles"();`);
    this.addSql(`insert into "audit"."compliance_state" (id, change_watermark) values (1, 0) on conflict do nothing;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists compliance_title_update on "audit"."software_title";`);
    this.addSql(`drop trigger if exists compliance_installation_insert on "audit"."installation";`);
    this.addSql(`drop trigger if exists compliance_installation_update on "audit"."installation";`);
    this.addSql(`drop trigger if exists compliance_installation_delete on "audit"."installation";`);
    this.addSql(`drop function if exists "audit"."compliance_mark_titles"();`);
    this.addSql(`drop function if exists "audit"."compliance_mark_installations"();`);
    this.addSql(`delete from "audit"."compliance_state" where id = 1;`);
  }
}
