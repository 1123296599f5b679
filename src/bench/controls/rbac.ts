/**
 * CIS 5.1 (RBAC and service accounts) judged by Rampart's RBAC engine when the
 * cluster's RBAC objects are given (`rampart bench --rbac DIR`): each control
 * is a set of primitives of the risk catalogue, and fails when a subject
 * outside the bootstrap policy holds one of them.
 */
import { describeBinding, describeSubject } from '../../rbac/model.js';
import type { RiskFinding } from '../../rbac/risks.js';
import type { ControlResult } from '../model.js';

interface RbacControl {
  readonly id: string;
  readonly title: string;
  readonly primitives: readonly string[];
  readonly remediation: string;
}

export const RBAC_CONTROLS: readonly RbacControl[] = [
  { id: '5.1.1', title: 'cluster-admin is bound only where needed', primitives: ['RBAC-BINDING-CLUSTER-ADMIN'], remediation: 'Replace bindings to cluster-admin with roles that grant what each subject needs.' },
  { id: '5.1.2', title: 'Few subjects can read or create Secrets', primitives: ['RBAC-SECRETS-LIST', 'RBAC-SECRETS-GET', 'RBAC-SECRETS-CREATE'], remediation: 'Remove get, list and watch on secrets from roles that do not need them; scope the rest with resourceNames.' },
  { id: '5.1.3', title: 'Roles avoid wildcards', primitives: ['RBAC-WILDCARD-RESOURCES', 'RBAC-WILDCARD-VERBS', 'RBAC-WILDCARD-URLS'], remediation: 'List resources and verbs explicitly instead of `*`.' },
  { id: '5.1.4', title: 'Few subjects can create pods', primitives: ['RBAC-PODS-CREATE', 'RBAC-WORKLOADS-WRITE'], remediation: 'Grant pod and workload creation only to deployment pipelines and controllers.' },
  { id: '5.1.7', title: 'Nobody is bound to the system:masters group', primitives: ['RBAC-BINDING-SYSTEM-MASTERS'], remediation: 'Remove bindings that name system:masters; that group bypasses RBAC entirely when used in certificates.' },
  { id: '5.1.8', title: 'bind, escalate and impersonate are rare', primitives: ['RBAC-BIND', 'RBAC-ESCALATE', 'RBAC-IMPERSONATE-USERS', 'RBAC-IMPERSONATE-GROUPS', 'RBAC-IMPERSONATE-SERVICEACCOUNTS', 'RBAC-IMPERSONATE-UIDS', 'RBAC-IMPERSONATE-EXTRAS'], remediation: 'Remove the bind, escalate and impersonate verbs from roles that do not administer RBAC.' },
  { id: '5.1.9', title: 'Few subjects can create PersistentVolumes', primitives: ['RBAC-PERSISTENTVOLUMES-CREATE'], remediation: 'Let only storage administrators create PersistentVolumes; a hostPath volume reaches the node.' },
  { id: '5.1.10', title: 'Few subjects can use the nodes/proxy subresource', primitives: ['RBAC-NODES-PROXY'], remediation: 'Remove nodes/proxy from roles; it reaches the kubelet API, exec included, without audit of the commands.' },
  { id: '5.1.11', title: 'Few subjects can approve certificate signing requests', primitives: ['RBAC-CSR-APPROVE'], remediation: 'Keep update on certificatesigningrequests/approval to the controllers that need it.' },
  { id: '5.1.12', title: 'Few subjects can change admission webhook configurations', primitives: ['RBAC-MUTATING-WEBHOOKS', 'RBAC-VALIDATING-ADMISSION'], remediation: 'Keep write access to webhook configurations to cluster administrators.' },
  { id: '5.1.13', title: 'Few subjects can create service account tokens', primitives: ['RBAC-SERVICEACCOUNT-TOKEN'], remediation: 'Remove create on serviceaccounts/token from roles that do not mint tokens.' },
];

const MAX_DETAILS = 10;

export function evaluateRbacControls(findings: readonly RiskFinding[]): ControlResult[] {
  return RBAC_CONTROLS.map((control) => {
    const matching = findings.filter((finding) => control.primitives.includes(finding.primitive.id) && !finding.fromDefaultsOnly);
    const base = { id: control.id, title: control.title, section: '5.1', automated: false, automatedByRampart: true, remediation: control.remediation } as const;
    if (matching.length === 0) return { ...base, status: 'PASS' as const, details: [`no subject outside the bootstrap policy holds ${control.primitives.join(', ')}`] };
    const details = matching.slice(0, MAX_DETAILS).map((finding) => {
      const binding = finding.evidence[0]?.binding;
      const scope = finding.scope === '' ? 'cluster-wide' : `in ${finding.scope}`;
      return `${describeSubject(finding.subject)} ${scope}: ${finding.primitive.id}${binding === undefined ? '' : ` (${describeBinding(binding)}, ${binding.object.source.file})`}`;
    });
    if (matching.length > MAX_DETAILS) details.push(`… and ${matching.length - MAX_DETAILS} more`);
    return { ...base, status: 'FAIL' as const, details };
  });
}
