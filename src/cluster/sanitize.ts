/**
 * What is dropped from an object the moment it arrives from the API server:
 * nothing of a Secret's value is ever kept, and the bulky fields no check
 * reads do not fill memory.
 */
import { isJsonObject, type JsonObject } from '../model/types.js';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
export const REDACTED = '';

/**
 * - `metadata.managedFields`: server-side-apply bookkeeping, often larger than the object.
 * - `status`: what the cluster observed, not what was asked for; no check reads it.
 * - the last-applied-configuration annotation: a second copy of the object (and, on a Secret, its values).
 * - a Secret's `data` and `stringData` values: blanked, keys kept (checks name keys, never values).
 */
export function sanitize(object: JsonObject): JsonObject {
  delete object.status;
  const metadata = object.metadata;
  if (isJsonObject(metadata)) {
    delete metadata.managedFields;
    if (isJsonObject(metadata.annotations)) {
      delete metadata.annotations[LAST_APPLIED];
      if (Object.keys(metadata.annotations).length === 0) delete metadata.annotations;
    }
  }
  if (object.kind === 'Secret' && (object.apiVersion === 'v1' || object.apiVersion === undefined)) redactSecret(object);
  return object;
}

export function redactSecret(object: JsonObject): void {
  for (const field of ['data', 'stringData']) {
    const values = object[field];
    if (isJsonObject(values)) {
      for (const key of Object.keys(values)) values[key] = REDACTED;
    } else if (values !== undefined) {
      delete object[field];
    }
  }
}
