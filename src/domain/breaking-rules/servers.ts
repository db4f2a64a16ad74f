/** Rules for servers, documentation, and everything no other rule covers (status, team, roles, support, price...). */
import type { Change } from '../diff/index.js';
import type { JsonObject } from '../odcs.js';
import { type Group, type JudgeState, shownAfter, shownBefore } from './state.js';

/** Keys whose values are documentation only. */
export const DOCUMENTATION_KEYS: ReadonlySet<string> = new Set([
  'description',
  'businessName',
  'tags',
  'authoritativeDefinitions',
  'customProperties',
  'examples',
  'transformDescription',
  'transformLogic',
  'transformSourceObjects',
  'dataGranularityDescription',
]);

/** A change inside a server: environment and roles are other-changed, the rest is judged per server. */
export function serverField(c: Change, s: JudgeState): void {
  const t = c.target;
  if (t.field[0] !== 'environment' && t.field[0] !== 'roles') s.group('server', c);
}

/** A server added or removed. */
export function wholeServer(c: Change, s: JudgeState, p: string, added: boolean, _obj: JsonObject): void {
  if (added) {
    s.add('server-added', c, p, { summary: `adding server ${p}`, explanation: `Server ${p} was added.`, suggestion: 'No action needed.' });
  } else {
    s.add('server-removed', c, p, {
      summary: `removing server ${p}`,
      explanation: `Server ${p} was removed; consumers that read from it will break.`,
      suggestion: `Keep ${p} until its consumers have moved to another server, then remove it in a new major version.`,
    });
  }
}

export function serverGroup(group: Group, s: JudgeState): void {
  const p = group.anchor.target.readablePath;
  const fields = group.changes.map((c) => `${c.target.field.join('.')}: ${shownBefore(c)} -> ${shownAfter(c)}`);
  s.add('server-changed', group.changes, p, {
    summary: `changing server ${p}`,
    explanation: `Server ${p} changed (${fields.join('; ')}); consumers that connect to it must update their configuration.`,
    suggestion: 'Announce the change to consumers, or add the new server beside the old one and remove the old one later.',
  });
}

export function isDocumentation(c: Change): boolean {
  const field = c.target.field;
  if (c.target.element === 'quality' && field[0] === 'name') return true;
  return field.some((k) => typeof k === 'string' && DOCUMENTATION_KEYS.has(k));
}

export function documentation(c: Change, s: JudgeState): void {
  const what = c.kind === 'added' ? 'added' : c.kind === 'removed' ? 'removed' : 'changed';
  s.add('documentation-changed', c, c.readablePath, {
    summary: `changing the documentation ${c.readablePath}`,
    explanation: `Documentation ${what} at ${c.readablePath}${c.kind === 'changed' ? ` (${shownBefore(c)} -> ${shownAfter(c)})` : c.kind === 'added' ? `: ${shownAfter(c)}` : ` (was ${shownBefore(c)})`}. It does not change the data.`,
    suggestion: 'No action needed; a patch version is enough.',
  });
}

export function otherChanged(c: Change, s: JudgeState): void {
  s.add('other-changed', c, c.readablePath, {
    summary: `changing ${c.readablePath}`,
    explanation:
      c.kind === 'added'
        ? `${c.readablePath} was added: ${shownAfter(c)}.`
        : c.kind === 'removed'
          ? `${c.readablePath} was removed (was ${shownBefore(c)}).`
          : `${c.readablePath} changed from ${shownBefore(c)} to ${shownAfter(c)}.`,
    suggestion: 'No action needed unless consumers depend on this metadata.',
  });
}
