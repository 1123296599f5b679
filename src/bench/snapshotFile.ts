/** Reading a collected snapshot back (`bench --from`): only from the same Rampart version and snapshot format. */
import { SNAPSHOT_FORMAT, type NodeSnapshot } from './model.js';
import { isRecord } from './yamlText.js';

export type SnapshotRead = { ok: true; snapshot: NodeSnapshot } | { ok: false; error: string };

export function readSnapshot(text: string, file: string, rampartVersion: string): SnapshotRead {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `${file} is not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (!isRecord(value) || typeof value.rampartVersion !== 'string' || typeof value.format !== 'number') {
    return { ok: false, error: `${file} is not a snapshot written by \`rampart bench collect\`` };
  }
  if (value.rampartVersion !== rampartVersion || value.format !== SNAPSHOT_FORMAT) {
    return {
      ok: false,
      error: `${file} was collected by Rampart ${value.rampartVersion} (snapshot format ${value.format}); this is Rampart ${rampartVersion} (format ${SNAPSHOT_FORMAT}). Collect again with this version, so the evaluation sees the facts it expects.`,
    };
  }
  if (!Array.isArray(value.components) || !isRecord(value.files) || !isRecord(value.users) || !isRecord(value.groups) || !Array.isArray(value.problems) || !Array.isArray(value.unreadable) || typeof value.root !== 'string') {
    return { ok: false, error: `${file} is missing parts of a snapshot (components, files, users, groups, problems)` };
  }
  return { ok: true, snapshot: value as unknown as NodeSnapshot };
}
