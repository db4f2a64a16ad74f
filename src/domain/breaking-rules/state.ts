/** The state of one judging pass: judgements made, changes claimed, groups of changes judged together; value rendering. */
import type { Change, Path } from '../diff/index.js';
import type { JsonObject, JsonValue } from '../odcs.js';
import { type Breaks, type Judgement, RULES, type RuleId } from './table.js';

/** A plain rendering of a value for explanations: strings quoted, long values shortened; absent is `nothing`. */
export function showValue(value: JsonValue | undefined): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** The before / after value of a change as text, `nothing` on the side where the value is absent. */
export function shownBefore(c: Change): string {
  return c.beforePath === null ? 'nothing' : showValue(c.before);
}
export function shownAfter(c: Change): string {
  return c.afterPath === null ? 'nothing' : showValue(c.after);
}

export type GroupKind = 'primaryKey' | 'quality' | 'range' | 'sla' | 'server';

export interface Group {
  kind: GroupKind;
  changes: Change[];
  /** A change of the group (for its target paths). */
  anchor: Change;
  /** For range groups: the keys from the property to logicalTypeOptions (items...). */
  prefix: Path;
}

export interface Texts {
  summary: string;
  explanation: string;
  suggestion: string;
}

export class JudgeState {
  private readonly order = new Map<Change, number>();
  private readonly judgements: Judgement[] = [];
  private readonly claimed = new Set<Change>();
  private readonly groups = new Map<string, Group>();

  constructor(
    readonly before: JsonObject,
    readonly after: JsonObject,
    readonly changes: Change[],
  ) {
    changes.forEach((c, i) => this.order.set(c, i));
  }

  add(ruleId: RuleId, changes: Change | Change[], readablePath: string, texts: Texts, breaks?: Breaks): void {
    const list = (Array.isArray(changes) ? changes : [changes]).slice().sort((a, b) => this.indexOf(a) - this.indexOf(b));
    const rule = RULES[ruleId];
    for (const c of list) this.claimed.add(c);
    this.judgements.push({
      ruleId,
      level: rule.level,
      category: rule.category,
      change: list[0]!,
      changes: list,
      readablePath,
      summary: texts.summary,
      explanation: texts.explanation,
      suggestion: texts.suggestion,
      breaks: breaks ?? { ...rule.breaks },
    });
  }

  /** Covered without a judgement. */
  claim(change: Change): void {
    this.claimed.add(change);
  }

  group(kind: GroupKind, change: Change, prefix: Path = []): void {
    const t = change.target;
    const key = `${kind}|${JSON.stringify(kind === 'primaryKey' ? [t.schemaBeforePath, t.schemaAfterPath] : [t.beforePath, t.afterPath, prefix])}`;
    const group = this.groups.get(key);
    if (group) group.changes.push(change);
    else this.groups.set(key, { kind, changes: [change], anchor: change, prefix });
  }

  /** Judges the groups (`judgeGroup`), then every change nothing covered (`unclaimed`); returns the judgements in order. */
  finish(judgeGroup: (group: Group, s: JudgeState) => void, unclaimed: (c: Change, s: JudgeState) => void): Judgement[] {
    for (const group of this.groups.values()) judgeGroup(group, this);
    for (const c of this.changes) if (!this.claimed.has(c)) unclaimed(c, this);
    const seq = new Map(this.judgements.map((j, i) => [j, i]));
    return this.judgements.sort((a, b) => this.indexOf(a.change) - this.indexOf(b.change) || seq.get(a)! - seq.get(b)!);
  }

  private indexOf(c: Change): number {
    return this.order.get(c) ?? Number.MAX_SAFE_INTEGER;
  }
}

export function isObject(v: JsonValue | undefined): v is JsonObject {
  return v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v);
}
