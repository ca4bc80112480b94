/**
 * Small helpers for the raw SQL the audit service runs through `em.execute` (which bypasses entity mapping: the
 * ORM's pg driver hands timestamps back as PostgreSQL's text).
 */

/** `sqlArray` for values that may be null: NULL elements are written unquoted, as PostgreSQL expects. */
export function sqlArrayNullable(values: ReadonlyArray<string | number | null>): string {
  return `{${values.map((v) => (v === null ? 'NULL' : `"${String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)).join(',')}}`;
}

/** A timestamptz as the driver returns it (`2026-03-01 08:30:00.123456+00`) → Date; null stays null. */
export function toDate(value: string | Date | null | undefined): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  const iso = value.replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00').replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new Error(`unreadable timestamp ${value}`);
  return date;
}

/**
 * A boolean SQL expression: the database is the embedded PGlite, whose pooled connections (pglite-socket) all share
 * its one session and its one backend.
 */
export const IS_EMBEDDED_DATABASE = `version() like '%PGlite%'`;
