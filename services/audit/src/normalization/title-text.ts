import { normalizeWhitespace } from './title-matcher';

/**
 * The form a title is stored, keyed and matched in: each part whitespace-normalized as the matcher sees it, empty
 * parts null. Storing this form (not the agent's exact spacing) keeps PostgreSQL's `~*` and the JavaScript matcher
 * looking at the same text.
 */
export function normalizedTitle(
  name: string,
  version: string | null | undefined,
  publisher: string | null | undefined,
): { name: string; version: string | null; publisher: string | null } {
  const part = (value: string | null | undefined) => {
    const normalized = value === null || value === undefined ? '' : normalizeWhitespace(value);
    return normalized === '' ? null : normalized;
  };
  return { name: normalizeWhitespace(name), version: part(version), publisher: part(publisher) };
}
