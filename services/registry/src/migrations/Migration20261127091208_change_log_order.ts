import { Migration } from '@mikro-orm/migrations';

/**
 * The change log's ids now follow commit order: appends take an advisory lock held until commit
 * (HistoryRepository.appendChanges). Consumers read `id > watermark`; the contract's comment says so.
 */
export class Migration20261127091208_change_log_order extends Migration {
  override async up(): Promise<void> {
    this.addSql(`comment on view "registry_public"."change_log" is 'Append-only log of registry changes that can move compliance. Ids follow commit order (appends are serialized until commit), so a consumer reads rows with id > its watermark and stores the last id it applied. NOTIFY genuine_registry_change is sent on commit.';`);
  }

  override async down(): Promise<void> {
    this.addSql(`comment on view "registry_public"."change_log" is null;`);
  }
}
