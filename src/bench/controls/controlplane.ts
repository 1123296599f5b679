/** CIS 3: control-plane configuration: authentication (manual) and the audit policy. */
import { fail, missingComponent, pass, show, warn } from './helpers.js';
import { auditLevel, levelRank, parseAuditPolicy, type AuditRequest } from './audit.js';
import type { EffectiveNode } from '../effective.js';
import type { Control, Outcome } from './types.js';

function manual(id: string, section: string, title: string, remediation: string, why: string): Control {
  return { id, section, title, automated: false, severity: 'medium', remediation, evaluate: () => warn([`manual: ${why}`]) };
}

function policyOf(node: EffectiveNode): { outcome: Outcome } | { rules: Record<string, unknown>[]; file: string } {
  const apiserver = node.component('kube-apiserver');
  if (apiserver === undefined) return { outcome: missingComponent(node, 'kube-apiserver') };
  const setting = apiserver.setting('audit-policy-file');
  if (setting.value === undefined || setting.value === '') return { outcome: fail([`${show(apiserver, setting)}: no audit policy, so the API server records nothing`], { file: apiserver.facts.file }) };
  const facts = node.file(setting.value);
  if (facts === undefined || !facts.exists || facts.content === undefined) return { outcome: warn([`${show(apiserver, setting)}: ${facts?.error ?? 'the file does not exist on the node'}`], setting) };
  const policy = parseAuditPolicy(facts.content);
  if (!policy.ok) return { outcome: policy.error.startsWith('malformed') ? warn([`${setting.value}: ${policy.error}`], { file: setting.value }) : fail([`${setting.value}: ${policy.error}`], { file: setting.value }) };
  return { rules: policy.rules, file: setting.value };
}

interface Concern {
  readonly label: string;
  readonly request: AuditRequest;
  /** Lowest acceptable level, and the highest (Secrets' bodies must not be logged). */
  readonly minimum: 'Metadata' | 'Request';
  readonly maximum?: 'Metadata';
}

const CONCERNS: readonly Concern[] = [
  { label: 'reading Secrets', request: { group: '', resource: 'secrets', verb: 'get' }, minimum: 'Metadata', maximum: 'Metadata' },
  { label: 'writing Secrets', request: { group: '', resource: 'secrets', verb: 'update' }, minimum: 'Metadata', maximum: 'Metadata' },
  { label: 'exec into pods', request: { group: '', resource: 'pods', subresource: 'exec', verb: 'create' }, minimum: 'Metadata' },
  { label: 'attaching to pods', request: { group: '', resource: 'pods', subresource: 'attach', verb: 'create' }, minimum: 'Metadata' },
  { label: 'port-forwarding to pods', request: { group: '', resource: 'pods', subresource: 'portforward', verb: 'create' }, minimum: 'Metadata' },
  { label: 'creating ClusterRoleBindings', request: { group: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings', verb: 'create' }, minimum: 'Metadata' },
  { label: 'changing Roles', request: { group: 'rbac.authorization.k8s.io', resource: 'roles', verb: 'update' }, minimum: 'Metadata' },
  { label: 'changing ClusterRoles', request: { group: 'rbac.authorization.k8s.io', resource: 'clusterroles', verb: 'update' }, minimum: 'Metadata' },
  { label: 'creating service account tokens', request: { group: '', resource: 'serviceaccounts', subresource: 'token', verb: 'create' }, minimum: 'Metadata' },
];

export const CONTROLPLANE_CONTROLS: readonly Control[] = [
  manual('3.1.1', '3.1', 'People do not authenticate with client certificates', 'Give people OIDC or another revocable authentication and keep client certificates for components.', 'which credentials people use cannot be seen from the node'),
  manual('3.1.2', '3.1', 'People do not authenticate with service account tokens', 'Give people OIDC or another user authentication; keep service account tokens for workloads.', 'which credentials people use cannot be seen from the node'),
  manual('3.1.3', '3.1', 'People do not authenticate with bootstrap tokens', 'Use bootstrap tokens only to join nodes, with short lifetimes; delete them afterwards.', 'which credentials people use cannot be seen from the node'),
  {
    id: '3.2.1',
    section: '3.2',
    title: 'The API server has an audit policy with rules',
    automated: false,
    automatedByRampart: true,
    severity: 'high',
    remediation: 'Write an audit Policy (see docs/bench.md for a minimal one), point `--audit-policy-file` to it and set `--audit-log-path`.',
    evaluate: (node) => {
      const policy = policyOf(node);
      if ('outcome' in policy) return policy.outcome;
      return pass([`${policy.file}: audit policy with ${policy.rules.length} rule(s)`], { file: policy.file });
    },
  },
  {
    id: '3.2.2',
    section: '3.2',
    title: 'The audit policy records Secrets, RBAC changes and exec without logging Secret bodies',
    automated: false,
    automatedByRampart: true,
    severity: 'high',
    remediation: 'Put rules first that log secrets, configmaps and tokenreviews at Metadata, then pods/exec, pods/attach, pods/portforward, serviceaccounts/token and rbac.authorization.k8s.io at Metadata or above.',
    evaluate: (node) => {
      const policy = policyOf(node);
      if ('outcome' in policy) return policy.outcome;
      const problems: string[] = [];
      const good: string[] = [];
      for (const concern of CONCERNS) {
        const level = auditLevel(policy.rules, concern.request);
        if (levelRank(level) < levelRank(concern.minimum)) problems.push(`${concern.label} is logged at ${level}, expected ${concern.minimum} or more`);
        else if (concern.maximum !== undefined && levelRank(level) > levelRank(concern.maximum)) problems.push(`${concern.label} is logged at ${level}, which writes Secret contents into the audit log; expected ${concern.maximum}`);
        else good.push(`${concern.label}: ${level}`);
      }
      if (problems.length > 0) return fail([...problems.map((problem) => `${policy.file}: ${problem}`), ...good], { file: policy.file });
      return pass(good, { file: policy.file });
    },
  },
];
