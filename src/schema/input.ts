/**
 * Input checks that mutations run in their resolver — after authorization, so a denied caller never sees them —
 * and that come back as the mutation's typed ValidationError result.
 */
import { z } from 'zod';
import { ValidationError, type ValidationIssue } from '../domain/errors.js';
import { formatPath } from '../domain/paths.js';

export const revisionNumber = z.number().int().min(1, 'must be a revision number (1 or more)');
export const jsonObject = z.record(z.string(), z.unknown()).nullish();

/** Checks each [path, schema, value]; throws one ValidationError with every issue found. */
export function checkInput(checks: [path: string, schema: z.ZodType, value: unknown][]): void {
  const issues: ValidationIssue[] = [];
  for (const [path, schema, value] of checks) {
    if (value === undefined) continue;
    const result = schema.safeParse(value);
    if (result.success) continue;
    for (const issue of result.error.issues) {
      issues.push({ path: formatPath(issue.path, path), message: issue.message, code: 'invalid_value' });
    }
  }
  if (issues.length) throw new ValidationError(issues);
}
