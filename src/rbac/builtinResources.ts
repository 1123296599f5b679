/**
 * Built-in Kubernetes resources: plural name → API group and scope, plus the
 * names kubectl also accepts (singular, short names). `can-i get deployments`
 * resolves to the `apps` group through this table, as kubectl resolves it
 * through discovery. Where a plural exists in several groups (`events`) the
 * entry is the group kubectl prefers.
 *
 * Also listed: the virtual resources that exist only for authorization
 * (`users`, `groups`, `uids`, `userextras` for impersonation; `signers` for
 * certificate signing), which discovery does not return but RBAC rules name.
 */

export interface BuiltinResource {
  readonly resource: string;
  readonly group: string;
  readonly namespaced: boolean;
  readonly kind?: string;
  readonly shortNames?: readonly string[];
}

type Row = readonly [resource: string, kind: string | undefined, namespaced: boolean, shortNames?: readonly string[]];

const TABLE: ReadonlyArray<readonly [group: string, rows: readonly Row[]]> = [
  [
    '',
    [
      ['bindings', 'Binding', true],
      ['componentstatuses', 'ComponentStatus', false, ['cs']],
      ['configmaps', 'ConfigMap', true, ['cm']],
      ['endpoints', 'Endpoints', true, ['ep']],
      ['events', 'Event', true, ['ev']],
      ['limitranges', 'LimitRange', true, ['limits']],
      ['namespaces', 'Namespace', false, ['ns']],
      ['nodes', 'Node', false, ['no']],
      ['persistentvolumeclaims', 'PersistentVolumeClaim', true, ['pvc']],
      ['persistentvolumes', 'PersistentVolume', false, ['pv']],
      ['pods', 'Pod', true, ['po']],
      ['podtemplates', 'PodTemplate', true],
      ['replicationcontrollers', 'ReplicationController', true, ['rc']],
      ['resourcequotas', 'ResourceQuota', true, ['quota']],
      ['secrets', 'Secret', true],
      ['serviceaccounts', 'ServiceAccount', true, ['sa']],
      ['services', 'Service', true, ['svc']],
      // Impersonation targets (verb impersonate); not discoverable.
      ['users', undefined, false],
      ['groups', undefined, false],
    ],
  ],
  [
    'admissionregistration.k8s.io',
    [
      ['mutatingwebhookconfigurations', 'MutatingWebhookConfiguration', false],
      ['validatingwebhookconfigurations', 'ValidatingWebhookConfiguration', false],
      ['validatingadmissionpolicies', 'ValidatingAdmissionPolicy', false],
      ['validatingadmissionpolicybindings', 'ValidatingAdmissionPolicyBinding', false],
      ['mutatingadmissionpolicies', 'MutatingAdmissionPolicy', false],
      ['mutatingadmissionpolicybindings', 'MutatingAdmissionPolicyBinding', false],
    ],
  ],
  ['apiextensions.k8s.io', [['customresourcedefinitions', 'CustomResourceDefinition', false, ['crd', 'crds']]]],
  ['apiregistration.k8s.io', [['apiservices', 'APIService', false]]],
  [
    'apps',
    [
      ['controllerrevisions', 'ControllerRevision', true],
      ['daemonsets', 'DaemonSet', true, ['ds']],
      ['deployments', 'Deployment', true, ['deploy']],
      ['replicasets', 'ReplicaSet', true, ['rs']],
      ['statefulsets', 'StatefulSet', true, ['sts']],
    ],
  ],
  [
    'authentication.k8s.io',
    [
      ['tokenreviews', 'TokenReview', false],
      ['selfsubjectreviews', 'SelfSubjectReview', false],
      // Impersonation targets (verb impersonate); not discoverable.
      ['uids', undefined, false],
      ['userextras', undefined, false],
    ],
  ],
  [
    'authorization.k8s.io',
    [
      ['localsubjectaccessreviews', 'LocalSubjectAccessReview', true],
      ['selfsubjectaccessreviews', 'SelfSubjectAccessReview', false],
      ['selfsubjectrulesreviews', 'SelfSubjectRulesReview', false],
      ['subjectaccessreviews', 'SubjectAccessReview', false],
    ],
  ],
  ['autoscaling', [['horizontalpodautoscalers', 'HorizontalPodAutoscaler', true, ['hpa']]]],
  [
    'batch',
    [
      ['cronjobs', 'CronJob', true, ['cj']],
      ['jobs', 'Job', true],
    ],
  ],
  [
    'certificates.k8s.io',
    [
      ['certificatesigningrequests', 'CertificateSigningRequest', false, ['csr']],
      ['clustertrustbundles', 'ClusterTrustBundle', false],
      // Signer names (verbs approve, sign, attest); not discoverable.
      ['signers', undefined, false],
    ],
  ],
  [
    'coordination.k8s.io',
    [
      ['leases', 'Lease', true],
      ['leasecandidates', 'LeaseCandidate', true],
    ],
  ],
  ['discovery.k8s.io', [['endpointslices', 'EndpointSlice', true]]],
  [
    'flowcontrol.apiserver.k8s.io',
    [
      ['flowschemas', 'FlowSchema', false],
      ['prioritylevelconfigurations', 'PriorityLevelConfiguration', false],
    ],
  ],
  [
    'networking.k8s.io',
    [
      ['ingressclasses', 'IngressClass', false],
      ['ingresses', 'Ingress', true, ['ing']],
      ['ipaddresses', 'IPAddress', false],
      ['networkpolicies', 'NetworkPolicy', true, ['netpol']],
      ['servicecidrs', 'ServiceCIDR', false],
    ],
  ],
  ['node.k8s.io', [['runtimeclasses', 'RuntimeClass', false]]],
  [
    'policy',
    [
      ['poddisruptionbudgets', 'PodDisruptionBudget', true, ['pdb']],
      // Removed in v1.25; kept so older manifests still resolve.
      ['podsecuritypolicies', 'PodSecurityPolicy', false, ['psp']],
    ],
  ],
  [
    'rbac.authorization.k8s.io',
    [
      ['clusterrolebindings', 'ClusterRoleBinding', false],
      ['clusterroles', 'ClusterRole', false],
      ['rolebindings', 'RoleBinding', true],
      ['roles', 'Role', true],
    ],
  ],
  [
    'resource.k8s.io',
    [
      ['deviceclasses', 'DeviceClass', false],
      ['resourceclaims', 'ResourceClaim', true],
      ['resourceclaimtemplates', 'ResourceClaimTemplate', true],
      ['resourceslices', 'ResourceSlice', false],
    ],
  ],
  ['scheduling.k8s.io', [['priorityclasses', 'PriorityClass', false, ['pc']]]],
  [
    'storage.k8s.io',
    [
      ['csidrivers', 'CSIDriver', false],
      ['csinodes', 'CSINode', false],
      ['csistoragecapacities', 'CSIStorageCapacity', true],
      ['storageclasses', 'StorageClass', false, ['sc']],
      ['volumeattachments', 'VolumeAttachment', false],
      ['volumeattributesclasses', 'VolumeAttributesClass', false, ['vac']],
    ],
  ],
];

export const BUILTIN_RESOURCES: readonly BuiltinResource[] = TABLE.flatMap(([group, rows]) =>
  rows.map(([resource, kind, namespaced, shortNames]) => ({
    resource,
    group,
    namespaced,
    ...(kind === undefined ? {} : { kind }),
    ...(shortNames === undefined ? {} : { shortNames }),
  })),
);

const byPlural = new Map<string, BuiltinResource>();
const byAlias = new Map<string, BuiltinResource>();
/** Resources in groups kubectl does not prefer (`events.events.k8s.io`), by group and plural. */
const secondary = new Map<string, BuiltinResource>([
  ['events.k8s.io/events', { resource: 'events', group: 'events.k8s.io', namespaced: true, kind: 'Event' }],
]);
for (const entry of BUILTIN_RESOURCES) {
  byPlural.set(entry.resource, entry);
  if (entry.kind !== undefined) byAlias.set(entry.kind.toLowerCase(), entry);
  for (const short of entry.shortNames ?? []) byAlias.set(short, entry);
}

/** Finds a built-in resource by plural, singular (kind in lower case) or short name. */
export function findBuiltinResource(name: string): BuiltinResource | undefined {
  const lower = name.toLowerCase();
  return byPlural.get(lower) ?? byAlias.get(lower);
}

/** The built-in resource with this exact plural in this group, if any. */
export function builtinResourceIn(group: string, resource: string): BuiltinResource | undefined {
  const entry = byPlural.get(resource);
  if (entry !== undefined && entry.group === group) return entry;
  return secondary.get(`${group}/${resource}`);
}

/**
 * RBAC rules name resources by their lower-case plural. For a name that is a
 * kind, a singular or a short name of a built-in resource (`pod`, `Pods`,
 * `deploy`) in a rule about that resource's group, returns the plural the
 * rule most likely meant.
 */
export function suggestResourceName(ruleResource: string, ruleGroups: readonly string[]): string | undefined {
  const slash = ruleResource.indexOf('/');
  const base = slash === -1 ? ruleResource : ruleResource.slice(0, slash);
  const rest = slash === -1 ? '' : ruleResource.slice(slash);
  if (base === '*' || byPlural.has(base)) return undefined;
  const entry = findBuiltinResource(base);
  // Only when the rule is about the built-in's group: a custom resource may well be called `quota`.
  if (entry === undefined || !ruleGroups.some((group) => group === '*' || group === entry.group)) return undefined;
  return `${entry.resource}${rest}`;
}
