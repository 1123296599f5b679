/** An Ingress routing to a Service that is not there: a broken route, or one waiting to be claimed. */
import { namespaceOf, objectCheck } from '../common/define.js';
import { list, mapping } from '../common/fields.js';
import { MITRE, NSA } from '../common/frameworks.js';
import type { FieldPath } from '../../model/types.js';

/**
 * Service names of an Ingress’s backends, with their paths: `service.name` in networking.k8s.io/v1,
 * `serviceName` in the beta versions (v1 drops that field, so such a backend names no Service at all).
 * A backend that names a resource instead of a Service is not judged.
 */
function backends(spec: Record<string, unknown>, beta: boolean): Array<{ name: string; path: FieldPath }> {
  const out: Array<{ name: string; path: FieldPath }> = [];
  const add = (backend: unknown, path: FieldPath): void => {
    const entry = mapping(backend);
    if (entry === undefined || mapping(entry.resource) !== undefined) return;
    const name = beta ? entry.serviceName : mapping(entry.service)?.name;
    out.push({ name: typeof name === 'string' ? name : '', path });
  };
  add(spec.defaultBackend ?? spec.backend, ['spec', spec.defaultBackend !== undefined ? 'defaultBackend' : 'backend']);
  list(spec.rules).forEach((rule, ruleIndex) => {
    list(mapping(mapping(rule)?.http)?.paths).forEach((path, pathIndex) => add(mapping(path)?.backend, ['spec', 'rules', ruleIndex, 'http', 'paths', pathIndex, 'backend']));
  });
  return out;
}

export const ingressBackend = objectCheck(
  {
    id: 'ingress-backend-missing',
    title: 'Ingress routes to a Service that is not defined',
    category: 'network',
    description: 'A backend of the Ingress names a Service that does not exist in the Ingress’s namespace in the input. Requests to that route fail, and whoever later creates a Service of that name receives the traffic. Judged after the whole input is read.',
    remediation: 'Fix the backend’s service name, add the Service, or remove the route.',
    severity: { gain: 'hygiene', effort: 'none', reason: 'Usually a broken route; hijacking it needs Service creation rights.' },
    nsa: [NSA.networkPolicies],
    mitre: [MITRE.adversaryInTheMiddle],
    equivalents: ['kube-score:ingress-targets-service', 'kube-linter:dangling-ingress', 'kubescape:dangling-ingress-backend'],
  },
  ['Ingress'],
  (object, { cluster }) => {
    const services = cluster.servicesIn(namespaceOf(object));
    const names = new Set(services.map((service) => service.name));
    return backends(mapping(object.raw.spec) ?? {}, !object.apiVersion.endsWith('/v1'))
      .filter((backend) => !names.has(backend.name))
      .map((backend) => ({
        message: backend.name === '' ? `Ingress ${object.name} has a backend that names no Service (${object.apiVersion} reads service.name)` : `Ingress ${object.name} routes to Service ${backend.name}, which is not defined in namespace ${namespaceOf(object)}`,
        path: backend.path,
      }));
  },
  { afterInput: true },
);
