/**
 * Rampart hardening checks that CEL can express exactly, as validations of
 * a `rampart-checks` ValidatingAdmissionPolicy: the pod's own fields, with
 * no cross-object knowledge (Services, NetworkPolicies, ServiceAccounts) and
 * no parsing CEL cannot do like Rampart (image references, host path
 * prefixes). Each is held to the built-in check by a differential test.
 */
import { at, check, eachContainerPart, guarded, lit, POD_CONTEXT, present, settingIs, volumesPart, type CheckCel } from './pssCel.js';

/** Init and regular containers: the resource checks leave ephemeral containers alone, which cannot set resources. */
export const WORKLOAD_CONTAINERS_VARIABLE = {
  name: 'workloadContainers',
  expression: '(has(variables.podSpec.initContainers) ? variables.podSpec.initContainers : []) + (has(variables.podSpec.containers) ? variables.podSpec.containers : [])',
};

function podFieldTrue(field: string): () => CheckCel {
  return () => check([guarded(settingIs(POD_CONTEXT, [field], 'true'), lit(`pod must not set spec.${field}=true`))]);
}

function resource(section: 'requests' | 'limits', name: 'cpu' | 'memory'): () => CheckCel {
  const value = at('c', 'resources', section, name);
  const set = `${present('c', 'resources', section, name)} && string(${value}) != ''`;
  return () => check([eachContainerPart(`!(${set})`, lit(`must set resources.${section}.${name}`), 'variables.workloadContainers')]);
}

export const HARDENING_CEL: Readonly<Record<string, () => CheckCel>> = {
  'container-privileged': () => check([eachContainerPart(settingIs('c', ['securityContext', 'privileged'], 'true'), "'must not set securityContext.privileged=true'")]),
  // Windows pods cannot set readOnlyRootFilesystem; Rampart exempts them.
  'container-read-only-root-filesystem': () =>
    check([eachContainerPart(`!(${settingIs('c', ['securityContext', 'readOnlyRootFilesystem'], 'true')})`, "'must set securityContext.readOnlyRootFilesystem=true'")], 'variables.windows'),
  'container-host-port': () => {
    const bound = 'has(p.hostPort) && p.hostPort != 0';
    return check([eachContainerPart(`has(c.ports) && c.ports.exists(p, ${bound})`, `'must not set hostPort ' + c.ports.filter(p, ${bound}).map(p, string(p.hostPort)).join(', ')`)]);
  },
  'container-cpu-limit-missing': resource('limits', 'cpu'),
  'container-cpu-request-missing': resource('requests', 'cpu'),
  'container-memory-limit-missing': resource('limits', 'memory'),
  'container-memory-request-missing': resource('requests', 'memory'),
  'pod-host-network': podFieldTrue('hostNetwork'),
  'pod-host-pid': podFieldTrue('hostPID'),
  'pod-host-ipc': podFieldTrue('hostIPC'),
  'pod-share-process-namespace': podFieldTrue('shareProcessNamespace'),
  'pod-host-aliases': () => check([guarded(`${present(POD_CONTEXT, 'hostAliases')} && size(${at(POD_CONTEXT, 'hostAliases')}) > 0`, "'pod should not set spec.hostAliases'")]),
  'pod-host-path-volume': () => check([volumesPart('has(v.hostPath)', `'must not use hostPath' + (has(v.hostPath.path) ? ' (' + v.hostPath.path + ')' : '')`)]),
};
