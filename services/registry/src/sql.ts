/**
 * A timestamptz column as ISO 8601 UTC text with microseconds (`2026-03-01T08:30:00.123456Z`). Raw queries return
 * timestamps as driver text otherwise; this form is what the DateTime scalar prints, and keeps full precision for
 * keyset cursors.
 */
export function isoTime(column: string): string {
  return `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}
