/**
 * What a contract name and a version string may be, so that what is accepted is stored as sent and can be found
 * again: names are NFC-normalized text without control characters, format characters (bidi overrides and
 * isolates, zero-width characters, BOM, soft hyphen) or unpaired surrogates, at most MAX_NAME_LENGTH code points;
 * versions are semantic versions of at most MAX_VERSION_LENGTH characters. Pure.
 */
export const MAX_NAME_LENGTH = 200;
export const MAX_VERSION_LENGTH = 64;

/** Cc: control characters (NUL, …); Cf: format characters (U+202E, U+200B, U+FEFF, …); Cs: unpaired surrogates. */
const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Cs}\u2028\u2029]/u;

export type NameCheck = { ok: true; name: string } | { ok: false; message: string; code: 'required' | 'invalid_format' | 'too_big' };

function codePoint(ch: string): string {
  return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Why `text` may not be stored or compared as text (a control character, a format character, an unpaired
 * surrogate, a line or paragraph separator: the first one and where it is), or null. PostgreSQL refuses NUL in
 * text outright (SQLSTATE 22P05, so FerretDB on PostgreSQL would fail the write); the others are invisible.
 */
export function forbiddenCharacterProblem(text: string): string | null {
  const bad = FORBIDDEN.exec(text);
  if (!bad) return null;
  const at = [...text.slice(0, bad.index)].length;
  return `must not contain control or invisible formatting characters (${codePoint(bad[0])} at character ${at + 1})`;
}

/** The name as it is stored (trimmed, NFC), or why it is refused. */
export function normalizeName(raw: unknown): NameCheck {
  if (typeof raw !== 'string' || !raw.trim()) return { ok: false, message: 'is required (give a name, or a document with a name or an id)', code: 'required' };
  const bad = forbiddenCharacterProblem(raw);
  if (bad) return { ok: false, message: bad, code: 'invalid_format' };
  const name = raw.trim().normalize('NFC');
  const length = [...name].length;
  if (length > MAX_NAME_LENGTH) return { ok: false, message: `must be at most ${MAX_NAME_LENGTH} characters (it has ${length})`, code: 'too_big' };
  return { ok: true, name };
}

/** Why a version string is refused for its length, or null. */
export function versionLengthProblem(version: string): string | null {
  return version.length > MAX_VERSION_LENGTH ? `must be at most ${MAX_VERSION_LENGTH} characters (it has ${version.length})` : null;
}

/**
 * A name as a lookup compares it with stored names (trimmed, NFC): a decomposed `Cafe\u0301` finds the stored
 * `Café`. Text that could never be a stored name is returned as it is (it then matches nothing).
 */
export function nameForLookup(raw: string): string {
  return raw.trim().normalize('NFC');
}

/**
 * The key a case-insensitive filter compares (schema and property names): NFC, then lower case, on both the
 * stored side and the filter's side, so that a decomposed `Cafe\u0301` and a composed `Café` are one key.
 */
export function caseKey(text: string): string {
  return text.normalize('NFC').toLowerCase();
}

/**
 * Other text that is stored and compared exactly (principal names, pipeline ids, environments, versions as
 * filters): NFC, on both the stored and the filter's side, so canonically equivalent text is one value.
 */
export function textKey(raw: string): string;
export function textKey(raw: string | null | undefined): string | null;
export function textKey(raw: string | null | undefined): string | null {
  return raw == null ? null : raw.normalize('NFC');
}

/** `textKey` for a write's optional input: a string in NFC; null and undefined (clear / keep) stay as they are. */
export function nfcOrAsIs<T extends string | null | undefined>(raw: T): T {
  return (typeof raw === 'string' ? raw.normalize('NFC') : raw) as T;
}

/** An owning team as it is stored and as the `owner` filter compares it: trimmed, NFC; empty is none. */
export function ownerKey(raw: string | null | undefined): string | null {
  const owner = raw?.trim().normalize('NFC');
  return owner ? owner : null;
}
