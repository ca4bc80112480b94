import { readFileSync } from 'node:fs';

/**
 * CPU seconds the whole machine has spent busy since boot (user, nice, system, irq, softirq, steal: every state but
 * idle and I/O wait), from Linux's /proc/stat; null elsewhere. The difference over a phase is what the phase cost
 * every process together — the stack, PostgreSQL and its background workers, the bench driver — which a noisy
 * neighbour disturbs far less than the wall time.
 */
export function machineBusySeconds(): number | null {
  let stat: string;
  try {
    stat = readFileSync('/proc/stat', 'utf8');
  } catch {
    return null;
  }
  const line = stat.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return null;
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return (user + nice + system + irq + softirq + (steal || 0)) / CLOCK_TICKS_PER_SECOND;
}

/** USER_HZ: 100 on every Linux build that matters here (the kernel exports /proc/stat in these units). */
const CLOCK_TICKS_PER_SECOND = 100;

/** Busy CPU milliseconds per item between two readings, or null without /proc/stat. */
export function cpuMsPer(before: number | null, after: number | null, items: number): number | null {
  return before === null || after === null || items <= 0 ? null : ((after - before) * 1000) / items;
}
