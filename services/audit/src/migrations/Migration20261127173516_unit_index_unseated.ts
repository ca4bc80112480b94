import { Migration } from '@mikro-orm/migrations';

/**
 * Results are looked up by unit for the unlicensed installations and for the machines an entitlement change can
 * move; neither needs the installs a machine seat covers (rule 2a comes first), half the table. The index keeps
 * the rest only: half the size, cheaper to build in a full recompute and to keep up.
 */
export class Migration20261127173516_unit_index_unseated extends Migration {

  override async up(): Promise<void> {
    this.addSql(`drop index "audit"."compliance_install_unit_idx";`);

    this.addSql(`create index "compliance_install_unit_unseated_idx" on "audit"."compliance_install" ("org_unit_id", "edition_id") where "basis" is null or "basis" <> 'DEVICE';`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "audit"."compliance_install_unit_unseated_idx";`);

    this.addSql(`create index "compliance_install_unit_idx" on "audit"."compliance_install" ("org_unit_id", "edition_id");`);
  }

}
