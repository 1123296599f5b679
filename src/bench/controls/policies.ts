/**
 * CIS 5: Kubernetes policies. They are about API objects (RBAC, pods,
 * namespaces), not the node, so the node benchmark points to the commands
 * that judge them instead of guessing.
 */
import { info } from './helpers.js';
import type { Control } from './types.js';

function pointer(id: string, title: string, where: string): Control {
  return { id, section: id, title, automated: false, severity: 'info', remediation: where, evaluate: () => info([`judged from the cluster's objects, not the node: ${where}`]) };
}

export const POLICY_CONTROLS: readonly Control[] = [
  pointer('5.1', 'RBAC and service accounts (5.1.x)', 'run `rampart rbac` on the cluster RBAC objects'),
  pointer('5.2', 'Pod Security Standards (5.2.x)', 'run `rampart scan` (PSS checks) or `rampart pss` on the workloads and namespaces'),
  pointer('5.3', 'Network policies and CNI (5.3.x)', 'review NetworkPolicies per namespace; `rampart scan` reports namespaces without one'),
  pointer('5.4', 'Secrets management (5.4.x)', 'run `rampart scan` for Secrets used as environment variables'),
  pointer('5.5', 'Extensible admission control (5.5.x)', 'review image provenance admission (ImagePolicyWebhook or a policy engine)'),
  pointer('5.6', 'General policies (5.6.x)', 'run `rampart scan` for seccomp, security contexts and the default namespace'),
];
