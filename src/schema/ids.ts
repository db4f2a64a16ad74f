/** Global IDs (Relay): `base64("Type:localId")`. A malformed or wrongly-typed ID is a ValidationError naming its argument. */
import { decodeGlobalID } from '@pothos/plugin-relay';
import { ValidationError } from '../domain/errors.js';

export function localId(globalId: string, typename: string, path: string): string {
  let decoded: { typename: string; id: string };
  try {
    decoded = decodeGlobalID(globalId);
  } catch {
    throw ValidationError.single(path, `is not a valid ${typename} ID`, 'invalid_id');
  }
  if (decoded.typename !== typename || !decoded.id) {
    throw ValidationError.single(path, `is a ${decoded.typename || 'unknown'} ID, expected a ${typename} ID`, 'invalid_id');
  }
  return decoded.id;
}
