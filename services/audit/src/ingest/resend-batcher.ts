import type { EntityManager } from '@mikro-orm/postgresql';
import { IngestRepository, type IdenticalResend, type ResentReport } from './ingest.repository';

interface Waiting {
  resend: IdenticalResend;
  resolve: (report: ResentReport | null) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for byte-identical re-sends: agents re-post their cached inventory in bursts, and each one is a
 * single small statement whose round trip, planning and commit cost far more than its work. Requests that arrive
 * while a batch is running wait for the next one, which records them all in one statement
 * (`IngestRepository.recordIdenticalResends`) and one commit. Each request is answered only once its own batch
 * has committed, with exactly what recording it alone would have given: nothing is acknowledged before it is
 * stored, and nothing is held in memory between requests, so replicas need no coordination.
 *
 * A lone request goes at once (no timer, no added latency); batches form only when requests overlap. At most
 * `concurrency` batches run at a time, so one batch waiting on a machine's row lock does not stall every re-send.
 */
export class IdenticalResendBatcher {
  private readonly waiting: Waiting[] = [];
  private running = 0;

  constructor(
    /** Gives the entity manager each batch runs on (a fork per batch). */
    private readonly em: () => EntityManager,
    private readonly options: { maxBatch: number; concurrency: number } = { maxBatch: 100, concurrency: 2 },
  ) {}

  /** What the re-send became (see `recordIdenticalResends`), once its batch has committed. */
  record(resend: IdenticalResend): Promise<ResentReport | null> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resend, resolve, reject });
      this.start();
    });
  }

  private start(): void {
    while (this.running < this.options.concurrency && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.options.maxBatch);
      this.running += 1;
      void this.run(batch).finally(() => {
        this.running -= 1;
        this.start();
      });
    }
  }

  private async run(batch: readonly Waiting[]): Promise<void> {
    try {
      const results = await new IngestRepository(this.em()).recordIdenticalResends(batch.map((w) => w.resend));
      batch.forEach((w, index) => w.resolve(results[index] ?? null));
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }
}
