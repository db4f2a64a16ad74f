/** Conversions the stored shapes share: JSON text back to values, dates, string lists. */
import type { JsonObject, JsonValue } from '../../../domain/odcs.js';

export function parseDocument(json: string): JsonObject {
  return JSON.parse(json) as JsonObject;
}

export function toDate(value: Date | string | number): Date {
  return value instanceof Date ? value : new Date(value);
}

export function dateOrNull(value: Date | string | number | null | undefined): Date | null {
  return value == null ? null : toDate(value);
}

/** JSON text back to its value; null for a missing field. */
export function parseJsonValue(json: string | null | undefined): JsonValue {
  return json == null ? null : (JSON.parse(json) as JsonValue);
}

export function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
