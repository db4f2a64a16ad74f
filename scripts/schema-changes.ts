/**
 * API change rules, checked by `npm run schema:check` (part of `npm test`):
 * - every breaking change between the released schema (schema.released.graphql) and the current one must be named
 *   in CHANGELOG.md under the `## Unreleased` heading, by its change path in backticks, as graphql-inspector names it:
 *   `Query.contracts` (a field), `Query.contracts.first` (an argument), `ContractStatus.DRAFT` (an enum value),
 *   `Contract` (a type);
 * - a field, argument or enum value is only removed after a release in which it was `@deprecated(reason: ...)`:
 *   removing one the released schema does not mark deprecated fails even when recorded.
 * Pure: the caller reads the files.
 */
import { type Change, CriticalityLevel, diff } from '@graphql-inspector/core';
import { buildSchema } from 'graphql';

export interface ChangeProblem {
  /** The inspector's change path (`Query.contracts`), or the type name. */
  path: string;
  message: string;
  /** What to do about it. */
  fix: string;
}

/** The text of the `## Unreleased` section of a changelog (up to the next `## ` heading); '' when absent. */
export function unreleasedSection(changelog: string): string {
  const lines = changelog.split('\n');
  const start = lines.findIndex((l) => /^##\s+Unreleased\s*$/i.test(l.trim()));
  if (start < 0) return '';
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((l) => /^##\s/.test(l));
  return (end < 0 ? rest : rest.slice(0, end)).join('\n');
}

/** All changes from `before` to `after` (SDL texts), as graphql-inspector reports them. */
export async function schemaChanges(before: string, after: string): Promise<Change[]> {
  return diff(buildSchema(before), buildSchema(after));
}

function pathOf(change: Change): string {
  const meta = change.meta as Record<string, unknown>;
  return change.path ?? String(meta.removedTypeName ?? meta.typeName ?? meta.name ?? change.type);
}

const REMOVALS: Record<string, string> = {
  FIELD_REMOVED: 'isRemovedFieldDeprecated',
  ENUM_VALUE_REMOVED: 'isEnumValueDeprecated',
  INPUT_FIELD_REMOVED: 'isInputFieldDeprecated',
};

/** The breaking changes from `released` to `current` that the changelog does not record, or that skip deprecation. */
export async function unrecordedBreakingChanges(released: string, current: string, changelog: string): Promise<ChangeProblem[]> {
  const recorded = unreleasedSection(changelog);
  const problems: ChangeProblem[] = [];
  for (const change of await schemaChanges(released, current)) {
    if (change.criticality.level !== CriticalityLevel.Breaking) continue;
    const path = pathOf(change);
    const deprecatedFlag = REMOVALS[change.type];
    const meta = change.meta as Record<string, unknown>;
    if (deprecatedFlag && meta[deprecatedFlag] === false) {
      problems.push({
        path,
        message: change.message,
        fix: `mark \`${path}\` @deprecated(reason: "...") and release that before removing it`,
      });
    } else if (!recorded.includes(`\`${path}\``)) {
      problems.push({ path, message: change.message, fix: `name \`${path}\` in CHANGELOG.md under "## Unreleased"` });
    }
  }
  return problems;
}
