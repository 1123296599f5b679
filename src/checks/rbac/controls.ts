/**
 * The CIS Kubernetes Benchmark 5.1.x RBAC controls, which kube-bench leaves
 * manual, as data: what each looks for in a rule or a binding. Numbering is
 * that of CIS Kubernetes Benchmark v1.8 to v1.12 (unchanged across them).
 * 5.1.6 (tokens mounted only where necessary) is judged per pod by the
 * identity checks (`service-account-token-automount` and friends), and the
 * pod side of 5.1.5 likewise; here 5.1.5 covers bindings that give the
 * default service account permissions.
 */
import type { Probe } from '../../rbac/riskCatalogue.js';
import type { SeverityBasis } from '../common/define.js';
import { MITRE, NSA } from '../common/frameworks.js';

export const RBAC_CATEGORY = 'rbac';

interface ControlBase {
  readonly id: string;
  readonly cis: string;
  readonly title: string;
  /** Gain and effort of the severity model (docs/severity.md); the severity follows from them. */
  readonly severity: SeverityBasis;
  readonly description: string;
  readonly remediation: string;
  /** NSA/CISA Kubernetes Hardening Guide sections (`NSA`). */
  readonly nsa: readonly string[];
  /** MITRE ATT&CK techniques (`MITRE`). */
  readonly mitre: readonly string[];
  /** Matching checks of other tools, `tool:id`, scored by `npm run corpus`. */
  readonly equivalents: readonly string[];
}

/** Reported on each rule (of a Role or ClusterRole) that grants any probe. */
export interface RuleControl extends ControlBase {
  readonly on: 'rule';
  readonly probes: readonly Probe[];
}

/** Reported on each rule that uses `*` where the control forbids it. */
export interface WildcardControl extends ControlBase {
  readonly on: 'wildcard';
}

/** Reported on bindings: their roleRef or one of their subjects. */
export interface BindingControl extends ControlBase {
  readonly on: 'binding';
  readonly matches: 'cluster-admin-role' | 'default-service-account' | 'system-masters';
}

export type RbacControl = RuleControl | WildcardControl | BindingControl;

const RBAC = 'rbac.authorization.k8s.io';
const MODIFY = ['create', 'update', 'patch', 'delete', 'deletecollection'];

export const RBAC_CONTROLS: readonly RbacControl[] = [
  {
    id: 'RBAC-cluster-admin-binding',
    cis: '5.1.1',
    on: 'binding',
    matches: 'cluster-admin-role',
    title: 'Binding to cluster-admin or an equivalent role',
    severity: { gain: 'control', effort: 'foothold', reason: 'Whoever obtains a subject’s credentials (for a ServiceAccount, a foothold in any pod using it) controls the cluster, or the namespace with its Secrets and RBAC.' },
    description:
      'A ClusterRoleBinding or RoleBinding grants the cluster-admin ClusterRole, or a Role or ClusterRole of the input that is cluster-admin in all but name (every verb, or get, list, watch, create, update, patch and delete, on every resource of every API group; aggregated rules count): every permission over the cluster, or over the namespace with its Secrets and RBAC for a RoleBinding. Only break-glass administrators and a few system components need it. Bootstrap objects (labelled kubernetes.io/bootstrapping: rbac-defaults), such as the binding for system:masters, are not reported; names are not exempt, since anyone can write a system: name.',
    remediation: 'Bind a role with only the permissions the subject uses (write one from `rampart rbac permissions` and the audit log); keep cluster-admin for a break-glass group.',
    nsa: [NSA.rbac],
    mitre: [MITRE.validAccounts, MITRE.additionalRoles],
    equivalents: ['kube-linter:cluster-admin-role-binding', 'polaris:clusterrolebindingClusterAdmin', 'polaris:rolebindingClusterAdminClusterRole', 'polaris:rolebindingClusterAdminRole', 'kubescape:C-0035', 'kubescape:cluster-admin-role'],
  },
  {
    id: 'RBAC-secrets-access',
    cis: '5.1.2',
    on: 'rule',
    probes: [{ verbs: ['get', 'list', 'watch'], group: '', resource: 'secrets' }],
    title: 'Role reads Secrets',
    severity: { gain: 'access', effort: 'foothold', reason: 'Whoever holds a subject reads every credential in scope, service-account tokens included.' },
    description: 'A rule allows get, list or watch on Secrets. list and watch return every Secret of the scope with its data, service-account tokens included; get reads any Secret by name unless resourceNames narrows it.',
    remediation: 'Remove get, list and watch on secrets, or narrow get to the Secrets the workload needs with resourceNames; mount Secrets into pods instead of reading them through the API.',
    nsa: [NSA.rbac, NSA.secrets],
    mitre: [MITRE.containerApiCredentials],
    equivalents: ['kube-linter:access-to-secrets', 'kubescape:C-0015'],
  },
  {
    id: 'RBAC-wildcard-rule',
    cis: '5.1.3',
    on: 'wildcard',
    title: 'Role uses a wildcard',
    severity: { gain: 'control', effort: 'foothold', reason: 'Whoever holds a subject gets powers nobody reviewed, frequently enough for control; `*` on `*` (reported only here) is cluster-admin.' },
    description: 'A rule lists `*` in verbs, resources, apiGroups or nonResourceURLs. It grants everything that exists now and everything added later (new resources, CRDs, subresources such as pods/exec), which no review can foresee.',
    remediation: 'List the verbs, API groups and resources the subject uses instead of `*`.',
    nsa: [NSA.rbac],
    mitre: [MITRE.validAccounts],
    equivalents: ['kube-linter:wildcard-in-rules'],
  },
  {
    id: 'RBAC-pod-create',
    cis: '5.1.4',
    on: 'rule',
    probes: [{ verbs: ['create'], group: '', resource: 'pods' }],
    title: 'Role creates pods',
    severity: { gain: 'control', effort: 'foothold', reason: 'Whoever holds a subject runs arbitrary workloads with any service account of the namespace, which reaches the node without admission controls.' },
    description:
      'A rule allows creating pods. Whoever creates a pod chooses its service account (any in the namespace, token included) and, where admission allows it, host namespaces, hostPath volumes and privileged containers. `rampart rbac risks` also reports the pod controllers (deployments, jobs, …) that give the same power.',
    remediation: 'Remove create on pods from roles that do not schedule workloads themselves; let a deployment pipeline with its own narrowly bound identity create them, and enforce Pod Security admission in every namespace.',
    nsa: [NSA.rbac],
    mitre: [MITRE.deployContainer],
    equivalents: ['kube-linter:access-to-create-pods', 'kubescape:rule-can-create-pod'],
  },
  {
    id: 'RBAC-default-service-account-bound',
    cis: '5.1.5',
    on: 'binding',
    matches: 'default-service-account',
    title: 'Binding grants the default service account',
    severity: { gain: 'access', effort: 'foothold', reason: 'A foothold in any pod of the namespace that names no service account carries the bound role’s permissions.' },
    description: 'A binding names a ServiceAccount called default. Every pod of that namespace that sets no serviceAccountName runs as it, so the permissions reach every such pod.',
    remediation: 'Create a dedicated ServiceAccount for the workload that needs the permissions, bind the role to it, and set spec.serviceAccountName in that workload.',
    nsa: [NSA.rbac, NSA.serviceAccountTokens],
    mitre: [MITRE.defaultAccounts],
    equivalents: [],
  },
  {
    id: 'RBAC-system-masters-binding',
    cis: '5.1.7',
    on: 'binding',
    matches: 'system-masters',
    title: 'Binding names system:masters',
    severity: { gain: 'control', effort: 'foothold', reason: 'A system:masters credential is unrestricted and cannot be revoked through RBAC; the binding shows the group is in use.' },
    description:
      'A binding names the group system:masters. Its members are allowed every request before RBAC is consulted and cannot be limited or revoked by RBAC; a binding for them only shows that the group is in use. Membership comes from client certificates, which cannot be revoked before they expire.',
    remediation: 'Remove the binding; give administrators a group of their own bound to cluster-admin (revocable through RBAC) and keep system:masters for a break-glass certificate.',
    nsa: [NSA.rbac, NSA.authentication],
    mitre: [MITRE.validAccounts],
    equivalents: [],
  },
  {
    id: 'RBAC-bind-escalate-impersonate',
    cis: '5.1.8',
    on: 'rule',
    probes: [
      { verbs: ['bind', 'escalate'], group: RBAC, resource: 'roles' },
      { verbs: ['bind', 'escalate'], group: RBAC, resource: 'clusterroles' },
      { verbs: ['impersonate'], group: '', resource: 'users' },
      { verbs: ['impersonate'], group: '', resource: 'groups' },
      { verbs: ['impersonate'], group: '', resource: 'serviceaccounts' },
      { verbs: ['impersonate'], group: 'authentication.k8s.io', resource: 'uids' },
      { verbs: ['impersonate'], group: 'authentication.k8s.io', resource: 'userextras', anySubresource: true },
    ],
    title: 'Role binds, escalates or impersonates',
    severity: { gain: 'control', effort: 'foothold', reason: 'Whoever holds a subject can make itself cluster-admin or act as system:masters.' },
    description:
      'A rule allows bind or escalate on roles or clusterroles, or impersonate on users, groups, service accounts, uids or user extras. bind and escalate switch off the API server’s protection against granting permissions one does not hold; impersonation acts as another identity, system:masters included.',
    remediation: 'Remove bind, escalate and impersonate; where a controller needs bind, restrict it with resourceNames to the roles it hands out.',
    nsa: [NSA.rbac],
    mitre: [MITRE.additionalRoles],
    equivalents: ['kubescape:rule-can-bind-escalate', 'kubescape:C-0065'],
  },
  {
    id: 'RBAC-persistentvolume-create',
    cis: '5.1.9',
    on: 'rule',
    probes: [{ verbs: ['create'], group: '', resource: 'persistentvolumes' }],
    title: 'Role creates PersistentVolumes',
    severity: { gain: 'control', effort: 'foothold', reason: 'Whoever holds a subject mounts any directory of a node into a pod past Pod Security admission.' },
    description: 'A rule allows creating PersistentVolumes. A PersistentVolume may be a hostPath volume, so whoever creates one and a claim for it mounts any directory of the node into a pod, past Pod Security admission’s hostPath rule.',
    remediation: 'Remove create on persistentvolumes; provision volumes through StorageClasses and claims.',
    nsa: [NSA.rbac],
    mitre: [MITRE.escapeToHost],
    equivalents: [],
  },
  {
    id: 'RBAC-nodes-proxy',
    cis: '5.1.10',
    on: 'rule',
    probes: [{ verbs: ['get', 'create', 'update', 'patch', 'delete'], group: '', resource: 'nodes', subresource: 'proxy' }],
    title: 'Role uses nodes/proxy',
    severity: { gain: 'control', effort: 'foothold', reason: 'Whoever holds a subject runs commands in every pod of the cluster through the kubelets.' },
    description: 'A rule allows the proxy subresource of nodes: direct access to the kubelet API, which runs commands in any pod of the node, bypassing admission and leaving no pods/exec in the audit log.',
    remediation: 'Remove nodes/proxy; monitoring agents can read metrics from nodes/metrics and nodes/stats instead.',
    nsa: [NSA.rbac],
    mitre: [MITRE.containerAdministrationCommand],
    equivalents: ['kubescape:rule-can-access-proxy-subresource'],
  },
  {
    id: 'RBAC-csr-approval',
    cis: '5.1.11',
    on: 'rule',
    probes: [{ verbs: ['update', 'patch'], group: 'certificates.k8s.io', resource: 'certificatesigningrequests', subresource: 'approval' }],
    title: 'Role approves certificate signing requests',
    severity: { gain: 'control', effort: 'chained', reason: 'Issuing a certificate also needs create on CSRs and approve on a signer: a second permission beyond the foothold.' },
    description: 'A rule allows updating the approval subresource of CertificateSigningRequests. Together with create on CSRs and approve on a signer, it issues client certificates for any user or node name.',
    remediation: 'Remove update and patch on certificatesigningrequests/approval; leave approval to the controller manager’s approvers.',
    nsa: [NSA.rbac, NSA.authentication],
    mitre: [MITRE.validAccounts],
    equivalents: [],
  },
  {
    id: 'RBAC-webhook-configuration',
    cis: '5.1.12',
    on: 'rule',
    probes: [
      { verbs: MODIFY, group: 'admissionregistration.k8s.io', resource: 'mutatingwebhookconfigurations' },
      { verbs: MODIFY, group: 'admissionregistration.k8s.io', resource: 'validatingwebhookconfigurations' },
    ],
    title: 'Role modifies admission webhook configurations',
    severity: { gain: 'control', effort: 'foothold', reason: 'A mutating webhook injects code into every new pod of the cluster; deleting one switches a policy off.' },
    description: 'A rule allows creating, changing or deleting Mutating- or ValidatingWebhookConfigurations. A mutating webhook rewrites every object admitted (a privileged container into each new pod); any webhook sees the objects written, Secrets included; deleting one switches a policy off.',
    remediation: 'Remove write access to webhook configurations; only the component that owns a webhook should manage it, restricted with resourceNames.',
    nsa: [NSA.rbac],
    mitre: [MITRE.impairDefenses, MITRE.deployContainer],
    equivalents: ['kubescape:rule-can-modify-admission-webhooks'],
  },
  {
    id: 'RBAC-serviceaccount-token-create',
    cis: '5.1.13',
    on: 'rule',
    probes: [{ verbs: ['create'], group: '', resource: 'serviceaccounts', subresource: 'token' }],
    title: 'Role creates service account tokens',
    severity: { gain: 'access', effort: 'foothold', reason: 'Whoever holds a subject obtains the identities of the service accounts in scope.' },
    description: 'A rule allows create on serviceaccounts/token: whoever holds it obtains a token for the service accounts of the scope and acts as them.',
    remediation: 'Remove create on serviceaccounts/token, or narrow it with resourceNames to the service accounts that must be delegated.',
    nsa: [NSA.rbac, NSA.serviceAccountTokens],
    mitre: [MITRE.stealAccessToken],
    equivalents: [],
  },
];
