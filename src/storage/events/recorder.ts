/**
 * Every committed write appends its events (issue 14.1): a decorator over a StorageBackend, so no entry point
 * (GraphQL, the command line's import, bulk writes) can write without it. Without transactions the order is:
 *   1. record an intent (what the write will touch, and when it began);
 *   2. the write itself (committed by the repository);
 *   3. append its events, each idempotent by key (collect.ts derives them from the stored state);
 *   4. delete the intent.
 * A crash between 2 and 3 leaves the intent: the repair pass (at start-up and every prune interval, for intents
 * older than the grace period) derives the same events from the stored state and appends those missing, exactly
 * once thanks to the keys. A validation record needs no intent (recent-repair.ts: the repair pass finds records
 * of a recent time window without their event). On MongoDB step 1 runs right before the write's first write command (write-gate.ts), so
 * a write refused before it writes (bad input, conflict, not found) sends no write command at all; one refused
 * with a domain error after that wrote nothing that needs an event: its intent is dropped. Memory has no intents
 * (a crash loses everything anyway).
 */
import { randomUUID } from 'node:crypto';
import type { EventLogOptions } from '../../config.js';
import { RegistryError } from '../../domain/errors.js';
import type { ApprovalRepository, CommentRepository, ContractRepository, IssueRepository, RunRepository, StorageBackend, ValidationRepository } from '../types.js';
import type { NewEvent } from '../../domain/events.js';
import { collectEvents, type Known, type Locator } from './collect.js';
import type { IntentStore } from './intents.js';
import { repairRecentValidations } from './recent-repair.js';

export interface EventRecorderOptions {
  log: EventLogOptions;
  /** Where intents are kept (MongoDB); none in memory. */
  intents: IntentStore | null;
  /**
   * Test hook: called after a write committed and before its events are appended. Throwing from it simulates a
   * crash between the two (the intent stays, no event is appended).
   */
  afterWrite?: (where: Locator) => void;
  /**
   * Runs a write so that `open` runs right before its first write command (mongodb/write-gate.ts), so a write
   * refused before it writes records no intent either. Without it the intent is recorded before the write.
   */
  gate?: <T>(open: () => Promise<void>, write: () => Promise<T>) => Promise<T>;
}

export interface RecordingBackend {
  /**
   * Completes intents older than the grace period (or all, with 0) and recent validation records without their
   * event (recent-repair.ts); returns how many writes it completed.
   */
  repairEvents(graceMs?: number): Promise<number>;
}

/** Wraps `inner` so each write appends its events; starts the prune/repair timer (stopped by close()). */
export function withEvents<B extends StorageBackend>(inner: B, options: EventRecorderOptions): B & RecordingBackend {
  const { intents } = options;
  const log = inner.events;

  async function record<T>(where: Locator, write: () => Promise<T>, known: (result: T) => Known, locate?: (result: T) => Partial<Locator>): Promise<T> {
    const since = new Date();
    const intent: { id: string | null } = { id: null };
    const begin = async () => {
      intent.id = await intents!.begin(where, since);
    };
    let result: T;
    try {
      if (!intents) result = await write();
      else if (options.gate) result = await options.gate(begin, write);
      else result = (await begin(), await write());
    } catch (error) {
      // A domain error means nothing was written; anything else may have committed: leave the intent to repair.
      if (intent.id && error instanceof RegistryError) await intents!.end(intent.id).catch(() => undefined);
      throw error;
    }
    const located: Locator = { ...where, ...(locate?.(result) ?? {}) };
    options.afterWrite?.(located);
    try {
      for (const event of await collectEvents(inner, located, since, known(result))) await log.append(event);
      // Inside the request (its trace and time limit); an intent left by a failed delete is a no-op to repair.
      if (intent.id) await intents!.end(intent.id).catch(() => undefined);
    } catch (error) {
      // The write is committed: with an intent kept, the repair pass appends the events later. Memory (no intents)
      // fails; a write that sent no write command (a repeat, a no-op) changed nothing its first write did not log.
      if (!intents) throw error;
    }
    return result;
  }

  /**
   * A write that is its own commit point and carries everything its events need (recent-repair.ts): no intent;
   * a crash or a failed append after it is completed by the repair pass over recent writes of its kind.
   */
  async function logged<T>(write: () => Promise<T>, locate: (result: T) => Locator, known: (result: T) => Known, at: (result: T) => Date): Promise<T> {
    const result = await write();
    const where = locate(result);
    options.afterWrite?.(where);
    try {
      for (const event of await collectEvents(inner, where, at(result), known(result))) await log.append(event);
    } catch (error) {
      if (!intents) throw error; // memory: nothing repairs it later
    }
    return result;
  }

  const c = inner.contracts;
  const contracts = override<ContractRepository>(c, {
    create: (input, actor) =>
      record({ op: 'contract.create', contractId: null, subjectId: null, actor }, () => c.create(input, actor), (contract) => ({ contract }), (r) => ({ contractId: r.id })),
    // A batch create: one intent per item (ids given up front, so each names its contract), one batch write,
    // then the created items' events in one append; a refused item wrote nothing (its intent is dropped).
    createMany: async (inputs, actor) => {
      const named = inputs.map((input) => ({ ...input, id: input.id ?? randomUUID() }));
      const since = new Date();
      const wheres: Locator[] = named.map((input) => ({ op: 'contract.create', contractId: input.id, subjectId: null, actor }));
      const begun: { ids: string[] | null } = { ids: null };
      const begin = async () => {
        begun.ids = intents!.beginMany ? await intents!.beginMany(wheres, since) : await Promise.all(wheres.map((where) => intents!.begin(where, since)));
      };
      const batch = () => c.createMany(named, actor); // a non-domain failure leaves every intent to repair
      const outcomes = !intents ? await batch() : options.gate ? await options.gate(begin, batch) : (await begin(), await batch());
      // The created items' events in one append (consecutive positions, one insertMany on MongoDB); a refused
      // item's intent ends at once, a created one's once its events are in (else the repair pass appends them).
      const ended: string[] = [];
      const created: number[] = [];
      const events: NewEvent[] = [];
      for (const [i, outcome] of outcomes.entries()) {
        if (!outcome.ok) {
          if (begun.ids) ended.push(begun.ids[i]!);
          continue;
        }
        options.afterWrite?.(wheres[i]!);
        events.push(...(await collectEvents(inner, wheres[i]!, since, { contract: outcome.contract })));
        created.push(i);
      }
      try {
        if (events.length > 0) await log.appendMany(events);
        if (begun.ids) for (const i of created) ended.push(begun.ids[i]!);
      } catch (error) {
        if (!intents) throw error; // with intents, those of the created items stay for the repair pass
      }
      if (intents && ended.length > 0) {
        await (intents.endMany ? intents.endMany(ended) : Promise.all(ended.map((id) => intents.end(id)))).catch(() => undefined);
      }
      return outcomes;
    },
    update: (input, actor) => record({ op: 'contract.version', contractId: input.id, subjectId: input.id, actor }, () => c.update(input, actor), (contract) => ({ contract })),
    rollback: (input, actor) => record({ op: 'contract.version', contractId: input.id, subjectId: input.id, actor }, () => c.rollback(input, actor), (contract) => ({ contract })),
    activate: (input, actor) => record({ op: 'contract.status', contractId: input.id, subjectId: input.id, actor }, () => c.activate(input, actor), (contract) => ({ contract })),
    deprecate: (input, actor) => record({ op: 'contract.status', contractId: input.id, subjectId: input.id, actor }, () => c.deprecate(input, actor), (contract) => ({ contract })),
    retire: (input, actor) => record({ op: 'contract.status', contractId: input.id, subjectId: input.id, actor }, () => c.retire(input, actor), (contract) => ({ contract })),
    setSettings: (input, actor) =>
      record({ op: 'contract.settings', contractId: input.id, subjectId: input.id, actor }, () => c.setSettings(input, actor), (contract) => ({ contract })),
    delete: async (id, expectedRevision, actor) => {
      const current = await c.getById(id);
      const deleted = current ? { id, name: current.name, status: current.status, revision: current.revision, version: current.version } : null;
      return record(
        { op: 'contract.delete', contractId: id, subjectId: id, actor, deleted },
        () => c.delete(id, expectedRevision, actor),
        (contract) => ({ contract }),
        (gone) => ({ deleted: { id: gone.id, name: gone.name, status: gone.status, revision: gone.revision, version: gone.version } }),
      );
    },
  });

  const r = inner.runs;
  const runs = override<RunRepository>(r, {
    start: (input, actor) => record({ op: 'run', contractId: input.contractId, subjectId: null, actor }, () => r.start(input, actor), (run) => ({ run }), (run) => ({ subjectId: run.id })),
    update: (input, actor) => record({ op: 'run', contractId: null, subjectId: input.id, actor }, () => r.update(input, actor), (run) => ({ run })),
  });

  const v = inner.validations;
  const validations = override<ValidationRepository>(v, {
    // No intent (issue 15.2): the record is the commit point and its events are derived from it alone.
    record: (input, actor) =>
      logged(
        () => v.record(input, actor),
        (out) => ({ op: 'validation', contractId: out.record.contractId, subjectId: out.record.id, actor }),
        (out) => ({ record: out.record, ...(out.issues ? { issues: out.issues } : {}) }),
        (out) => out.record.recordedAt,
      ),
  });

  const i = inner.issues;
  const issues = override<IssueRepository>(i, {
    create: (input, actor) => record({ op: 'issue', contractId: input.contractId, subjectId: null, actor }, () => i.create(input, actor), (issue) => ({ issue }), (issue) => ({ subjectId: issue.id })),
    update: (input, actor) => record({ op: 'issue', contractId: null, subjectId: input.id, actor }, () => i.update(input, actor), (issue) => ({ issue })),
    transition: (input, actor) => record({ op: 'issue', contractId: null, subjectId: input.id, actor }, () => i.transition(input, actor), (issue) => ({ issue })),
  });

  const m = inner.comments;
  const comments = override<CommentRepository>(m, {
    add: (input, actor) =>
      record(
        { op: 'comment', contractId: input.target.type === 'contract' ? input.target.id : null, subjectId: null, actor, commentTarget: { ...input.target, parentId: input.parentId ?? null } },
        () => m.add(input, actor),
        (comment) => ({ comment }),
        (comment) => ({ subjectId: comment.id }),
      ),
    edit: (input, actor) => record({ op: 'comment', contractId: null, subjectId: input.id, actor }, () => m.edit(input, actor), (comment) => ({ comment })),
    delete: (id, actor) => record({ op: 'comment', contractId: null, subjectId: id, actor: actor.name }, () => m.delete(id, actor), (comment) => ({ comment })),
    addReaction: (id, kind, actor) =>
      record({ op: 'comment.reaction', contractId: null, subjectId: id, actor, reaction: { kind, added: true } }, () => m.addReaction(id, kind, actor), (comment) => ({ comment })),
    removeReaction: (id, kind, actor) =>
      record({ op: 'comment.reaction', contractId: null, subjectId: id, actor, reaction: { kind, added: false } }, () => m.removeReaction(id, kind, actor), (comment) => ({ comment })),
  });

  const a = inner.approvals;
  const approvals = override<ApprovalRepository>(a, {
    submit: (input, actor) =>
      record({ op: 'approval', contractId: input.contractId, subjectId: null, actor }, () => a.submit(input, actor), (approval) => ({ approval }), (req) => ({ subjectId: req.id })),
    decide: (input, actor) => record({ op: 'approval', contractId: null, subjectId: input.requestId, actor }, () => a.decide(input, actor), (approval) => ({ approval })),
    withdraw: (input, actor) =>
      record({ op: 'approval', contractId: null, subjectId: input.requestId, actor: actor.name }, () => a.withdraw(input, actor), (approval) => ({ approval })),
  });

  async function repairEvents(graceMs = options.log.repairGraceSeconds * 1000): Promise<number> {
    if (!intents) return 0;
    let done = await repairRecentValidations(inner, log, intents, { graceMs, retentionMs: options.log.retentionSeconds * 1000 });
    for (const intent of await intents.olderThan(new Date(Date.now() - graceMs))) {
      for (const event of await collectEvents(inner, intent.where, intent.since)) await log.append(event);
      await intents.end(intent.id);
      done++;
    }
    return done;
  }

  const timer = setInterval(() => {
    void (async () => {
      await log.prune(new Date(Date.now() - options.log.retentionSeconds * 1000));
      await repairEvents();
    })().catch(() => undefined);
  }, options.log.pruneIntervalSeconds * 1000);
  timer.unref();

  return {
    ...inner,
    contracts,
    runs,
    validations,
    issues,
    comments,
    approvals,
    repairEvents,
    async close() {
      clearInterval(timer);
      await inner.close();
    },
  };
}

/** `target` with some methods replaced; every other member is the target's own (bound to it). */
function override<T extends object>(target: T, methods: Partial<T>): T {
  return new Proxy(target, {
    get(t, prop, receiver) {
      if (Object.prototype.hasOwnProperty.call(methods, prop)) return (methods as Record<PropertyKey, unknown>)[prop];
      const value = Reflect.get(t, prop, receiver === undefined ? t : t);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(t) : value;
    },
  });
}
