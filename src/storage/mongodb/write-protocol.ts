/**
 * The write protocol, chosen once at start-up (GRIOT_WRITE_PROTOCOL): `cas` where the server has atomic conditional
 * updates (capabilities.ts probes it; MongoDB), where a revision-guarded write `replaceOne({_id, revision})` is
 * itself the compare-and-set; `claims` where it has not (FerretDB 1.x), where a writer first inserts a claim
 * (claims.ts). `auto` (the default) follows the probe; `cas` on a server that failed the probe refuses to start,
 * as two writers of one revision could then both win.
 */
export const WRITE_PROTOCOLS = ['auto', 'claims', 'cas'] as const;
export type WriteProtocolSetting = (typeof WRITE_PROTOCOLS)[number];
export type WriteProtocol = Exclude<WriteProtocolSetting, 'auto'>;

export class WriteProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WriteProtocolError';
  }
}

/**
 * The protocol for a setting and the probe's answer. `forceUnsafe` (tests only) allows `cas` on a server that
 * failed the probe: single-writer conformance cases then run the CAS path on FerretDB.
 */
export function chooseWriteProtocol(setting: WriteProtocolSetting, atomicConditionalUpdates: boolean, forceUnsafe = false): WriteProtocol {
  if (setting === 'auto') return atomicConditionalUpdates ? 'cas' : 'claims';
  if (setting === 'cas' && !atomicConditionalUpdates && !forceUnsafe) {
    throw new WriteProtocolError(
      'GRIOT_WRITE_PROTOCOL=cas, but this database server failed the atomic conditional update probe (of concurrent ' +
        'findOneAndUpdate({_id, revision}) more than one won): two writers of one revision could both win; use auto or claims',
    );
  }
  return setting;
}
