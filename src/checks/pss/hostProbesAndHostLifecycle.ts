/**
 * Baseline (v1.34+): probes and lifecycle hooks are sent by the kubelet from
 * the node; a custom host turns them into requests the node makes on the
 * pod's behalf, to any address it can reach.
 */
import { isJsonObject, type FieldPath, type JsonObject } from '../../model/types.js';
import { containerSubject, quote } from './messages.js';
import type { PssCheck, PssOffense } from './types.js';

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;
const HOOKS = ['postStart', 'preStop'] as const;
const HANDLERS = ['httpGet', 'tcpSocket'] as const;

/** Non-empty `host` fields of a probe or lifecycle handler. */
function handlerHosts(handler: unknown, path: FieldPath): Array<{ host: string; path: FieldPath }> {
  if (!isJsonObject(handler)) return [];
  return HANDLERS.flatMap((kind) => {
    const action = handler[kind];
    const host = isJsonObject(action) ? action.host : undefined;
    return typeof host === 'string' && host !== '' ? [{ host, path: [...path, kind, 'host'] }] : [];
  });
}

export const hostProbesAndHostLifecycle: PssCheck = {
  id: 'hostProbesAndHostLifecycle',
  level: 'baseline',
  reason: 'probe or lifecycle host',
  title: 'Probe or lifecycle hook targets a custom host',
  severity: 'medium',
  severityReason: 'The kubelet sends the request from the node, so a custom host lets a pod make the node probe internal or node-local endpoints (a server-side request forgery), but not run code there.',
  description:
    'A container sets host in an httpGet or tcpSocket action of livenessProbe, readinessProbe, startupProbe or lifecycle.postStart/preStop. Forbidden from policy v1.34; probes should target the pod’s own IP, which is the default.',
  remediation: 'Remove the host field from the probe or lifecycle handler so the kubelet targets the pod IP. For a virtual host name, set an HTTP Host header in httpGet.httpHeaders instead.',
  versions: [
    {
      minimumVersion: 'v1.34',
      check: (pod) =>
        pod.containers.flatMap((container) => {
          const found: Array<{ host: string; path: FieldPath }> = [];
          for (const probe of PROBES) found.push(...handlerHosts(container.raw[probe], [...container.path, probe]));
          const lifecycle = container.raw.lifecycle;
          if (isJsonObject(lifecycle)) {
            for (const hook of HOOKS) found.push(...handlerHosts((lifecycle as JsonObject)[hook], [...container.path, 'lifecycle', hook]));
          }
          const first = found[0];
          if (first === undefined) return [];
          const fields = found.map((entry) => `${entry.path.slice(container.path.length).join('.')}=${quote(entry.host)}`);
          return [{ subject: containerSubject(container.name), predicate: `must not set ${fields.join(', ')}`, path: first.path } satisfies PssOffense];
        }),
    },
  ],
};
