import { withClient } from '@genuine/kit';

/** Until the compliance worker has applied every change (no dirty machine, watermark at the change log's end). */
export async function waitForIdleWorker(databaseUrl: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const idle = await withClient(databaseUrl, async (c) => {
      const { rows } = await c.query<{ idle: boolean }>(
        `select not exists (select 1 from audit.compliance_dirty_machine)
                and s.change_watermark >= (select coalesce(max(id), 0) from registry_public.change_log) as idle
           from audit.compliance_state s where s.id = 1`,
      );
      return rows[0]?.idle === true;
    });
    if (idle) return;
    if (Date.now() > deadline) throw new Error('the compliance worker did not catch up in time');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
