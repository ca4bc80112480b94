import { Migration } from '@mikro-orm/migrations';

/**
 * Marking a machine dirty that is already marked now writes the mark again (a new row version), where it used to
 * leave it untouched. A full recompute forgets only the marks it saw before reading the inventories, each as the
 * version it saw: an inventory that lands during the recompute, for a machine marked before it, writes a newer
 * version of the mark, which survives the recompute, so the worker applies that inventory next.
 */
export class Migration20261127170117_dirty_marks_versioned extends Migration {
  override async up(): Promise<void> {
    this.addSql(markFunctions('on conflict (machine_id) do update set machine_id = excluded.machine_id'));
  }

  override async down(): Promise<void> {
    this.addSql(markFunctions('on conflict do nothing'));
  }
}

function markFunctions(onConflict: string): string {
  return `create or replace function "audit"."compliance_mark_installations"() returns trigger language plpgsql as $$
      begin
        if tg_op in ('INSERT', 'UPDATE') then
          insert into audit.compliance_dirty_machine (machine_id) select distinct machine_id from new_rows ${onConflict};
        end if;
        if tg_op = 'DELETE' then
          insert into audit.compliance_dirty_machine (machine_id) select distinct machine_id from old_rows ${onConflict};
        elsif tg_op = 'UPDATE' then
          -- the new rows' machines were marked just above: one new version of their marks is enough
          insert into audit.compliance_dirty_machine (machine_id)
          select distinct machine_id from old_rows where machine_id not in (select machine_id from new_rows) ${onConflict};
        end if;
        perform pg_notify('genuine_compliance_dirty', '');
        return null;
      end $$;
    create or replace function "audit"."compliance_mark_titles"() returns trigger language plpgsql as $$
      begin
        insert into audit.compliance_dirty_machine (machine_id)
        select distinct i.machine_id
          from new_rows n join old_rows o on o.id = n.id
          join audit.installation i on i.title_id = n.id
         where n.edition_id is distinct from o.edition_id or n.ignored is distinct from o.ignored
        ${onConflict};
        perform pg_notify('genuine_compliance_dirty', '');
        return null;
      end $$;`;
}
