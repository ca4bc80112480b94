import { Migration } from '@mikro-orm/migrations';

/**
 * `audit.installation` is the table the agent ingest writes hundreds of rows into per inventory (issue 4 item 8);
 * measured with plain SQL for 78,000 rows (100 inventories of 780 titles), its shape cost 716 ms, 420 ms without the
 * foreign key, 332 ms with the natural key as primary key as well. So:
 *
 * - the foreign key `title_id → software_title` goes: it looked a title up for every inserted row, and it guards
 *   nothing the code can break. Titles are append-only — nothing deletes them, and their id is a hash of their
 *   text, so it never changes — and the ingest stores an inventory's new titles in the same transaction as its
 *   installations;
 * - the surrogate `id` (a sequence, and a second unique index to maintain per row) goes: nothing reads it, and the
 *   unique key (machine, title, arch, OS flag) that every write already goes through becomes the primary key.
 *   Installation lists page by (title name, key) instead of (title name, id).
 *
 * `installation_title_idx` stays: recognition changes find a title's installations through it.
 */
export class Migration20261127113037_installation_natural_key extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "audit"."installation" drop constraint "installation_title_id_foreign";`);
    this.addSql(`alter table "audit"."installation" drop constraint "installation_pkey";`);
    this.addSql(`alter table "audit"."installation" drop column "id";`);
    this.addSql(`alter table "audit"."installation" drop constraint "installation_machine_title_unique";`);
    this.addSql(`alter table "audit"."installation" add constraint "installation_pkey" primary key ("machine_id", "title_id", "arch", "is_operating_system");`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "audit"."installation" drop constraint "installation_pkey";`);
    this.addSql(`alter table "audit"."installation" add constraint "installation_machine_title_unique" unique ("machine_id", "title_id", "arch", "is_operating_system");`);
    // bigserial numbers the existing rows, as the column was created.
    this.addSql(`alter table "audit"."installation" add column "id" bigserial;`);
    this.addSql(`alter table "audit"."installation" add constraint "installation_pkey" primary key ("id");`);
    this.addSql(`alter table "audit"."installation" add constraint "installation_title_id_foreign" foreign key ("title_id") references "audit"."software_title" ("id") on update cascade on delete restrict;`);
  }
}
