/**
 * Input quoted back in an error message, bounded: a caller who sends 100 KB where a version or an id belongs gets
 * the first ECHO_MAX_LENGTH characters back (quoted, then `…` and the full length), never the whole text. Pure.
 */
export const ECHO_MAX_LENGTH = 64;

/** `value` as JSON text, cut at `max` code points: `"1.0.0-aaaa…" (100000 characters)`. */
export function quoteInput(value: unknown, max = ECHO_MAX_LENGTH): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  const points = [...text];
  if (points.length <= max) return JSON.stringify(text);
  return `${JSON.stringify(`${points.slice(0, max).join('')}…`)} (${points.length} characters)`;
}

/** `value` as it is when short, else its first `max` code points, `…` and the full length: `1.0.0-aaaa… (100000 characters)`. */
export function boundInput(value: string, max = ECHO_MAX_LENGTH): string {
  const points = [...value];
  return points.length <= max ? value : `${points.slice(0, max).join('')}… (${points.length} characters)`;
}
