/**
 * Why Rampart disagrees with an upstream label, per case. Keys are
 * `<corpus>|<fixture substring>`; the accuracy test requires every
 * disagreement to have one, so a new disagreement cannot pass unexplained.
 */
export const DISAGREEMENT_EXPLANATIONS: ReadonlyArray<readonly [string, string]> = [
  [
    'kube-score|pod-seccomp-annotated',
    'Upstream label wrong per Kubernetes semantics. The only seccomp setting is the annotation `seccomp.security.alpha.kubernetes.io/defaultProfileName`, a PodSecurityPolicy annotation that never configured a pod; the container runs without a seccomp profile, so Rampart reports it.',
  ],
  [
    'polaris|netpol_missing_egress_rules',
    'Upstream label wrong per Kubernetes semantics. The NetworkPolicy selecting the pod lists Egress in policyTypes and has no egress rules, which denies all egress: the pod is isolated (completely). Polaris asks for explicit rules.',
  ],
  [
    'polaris|netpol_missing_ingress_rules',
    'Upstream label wrong per Kubernetes semantics. The selecting policy lists Ingress with no ingress rules, which denies all ingress: the pod is isolated.',
  ],
  [
    'polaris|pullPolicyNotAlways/failure',
    'Upstream label wrong per Kubernetes semantics. The image has no tag and the container no imagePullPolicy; the API server defaults the policy to Always for untagged and `latest` images (also inside workload templates), so the effective policy is Always.',
  ],
  [
    'polaris|runAsRootAllowed/failure.yaml',
    'The fixture is a `Deployment` with `apiVersion: v1`, which no API server serves (it would be rejected). Rampart reads pods only from kinds at their real API group, warns about the unknown kind, and judges nothing in it; Polaris ignores apiVersion.',
  ],
  [
    'polaris|success.system_prefix_binding',
    'Different definitions of Kubernetes’ own objects. The binding is named `system:test` and grants a ClusterRole of `*` on `*` to a user; Polaris exempts bindings by the reserved `system:` prefix. RBAC-cluster-admin-binding, driven by the RBAC engine, exempts only objects of the bootstrap policy (labelled kubernetes.io/bootstrapping: rbac-defaults, as the API server labels them), because anyone who can create bindings can choose a `system:` name, and a backdoor would. The literal check it replaced (binding-cluster-admin) exempted the prefix and agreed here.',
  ],
  [
    'kube-linter|dangling-service',
    'The fixture’s Deployment and DeploymentConfig have a pod template without a pod spec: not valid workloads (Rampart reports them as invalid). Rampart indexes only valid pod templates, and judges Services only when the input has pods at all, so the Services are not judged.',
  ],
  [
    'kubeaudit|capabilities-added-not-dropped',
    'Different definitions, by design. The container adds AUDIT_WRITE, which is in the runtime’s default capability set; container-capabilities-added reports capabilities beyond the default set, while the default set is judged by container-capabilities-not-dropped. kubeaudit reports any added capability.',
  ],
  [
    'kubeaudit|run-as-user-psc-0-csc-1',
    'Upstream label wrong per Kubernetes semantics (a pod-level false positive). The pod sets runAsUser 0 but every container sets runAsUser 1, and the container value wins: no process runs as root.',
  ],
  [
    'kubeaudit|seccomp-profile-missing-disabled-container',
    'The container sets seccompProfile Unconfined: Rampart reports container-seccomp-unconfined (agreeing with kubeaudit’s SeccompDisabledContainer). kubeaudit also wants a pod-level profile; Rampart judges the profile each container ends up with, which is set (to Unconfined), not missing.',
  ],
  [
    'kubeaudit|seccomp-disabled-pod',
    'Upstream label wrong per Kubernetes semantics (a pod-level false positive). The pod sets Unconfined but its only container sets RuntimeDefault, which wins: no container runs unconfined.',
  ],
  [
    'kubescape-regolibrary|cluster-admin-role/test/clusterrole-rolebinding',
    'A RoleBinding to cluster-admin grants every permission in its namespace (its Secrets, its RBAC), so Rampart reports it. kubescape’s CIS 5.1.1 rule only considers ClusterRoleBindings, while its own rule-list-all-cluster-admins reports the same kind of binding: the two upstream rules disagree.',
  ],
  [
    'kubescape-regolibrary|rule-list-all-cluster-admins-v1/test/clusterrole-rolebinding',
    'The role grants every verb on every resource of the core API group only. RBAC-cluster-admin-binding calls a role cluster-admin in all but name only when it covers every API group (apps, rbac, …); the grant is still reported, on the role’s rule, by RBAC-wildcard-rule and RBAC-secrets-access (and the other CIS 5.1 controls the core group’s resources meet).',
  ],
  [
    'kubescape-regolibrary|rule-can-impersonate-users-groups-v1/test/role-rolebinding',
    'The role’s rule is `*` verbs on `*` resources of every API group. The CIS 5.1 RBAC controls report such a rule once, as RBAC-wildcard-rule (whose message says it grants every verb on every resource, impersonate included), and the RoleBinding as RBAC-cluster-admin-binding, instead of one finding per control; so RBAC-bind-escalate-impersonate, the control mapped to this rule, is silent. The literal check it replaced (role-escalation-verbs) reported the wildcard as impersonation too.',
  ],
  [
    'kubescape-regolibrary|ingress-and-egress-blocked/test/cronjob',
    'The pod uses hostNetwork, and NetworkPolicies do not apply to host-network pods, so Rampart does not ask for them there; the pod is reported by pod-host-network instead.',
  ],
  [
    'kubescape-regolibrary|only-egress',
    'Upstream label wrong per Kubernetes semantics. The only policy selecting the pod has policyTypes [Egress], which leaves its ingress unrestricted; Rampart reports the open direction.',
  ],
  [
    'kubescape-regolibrary|linux-hardening/test/issue-container-with-capabilities-no-seccomp',
    'The container without seccomp drops ALL capabilities, which is Linux hardening by the rule’s own description (“any linux security hardening”) and by Polaris’ linuxHardening; this upstream case asks for seccomp specifically, which container-seccomp-missing reports.',
  ],
  [
    'kubescape-regolibrary|system-authenticated-allowed-to-take-over-cluster/test/fail',
    'The binding is named `system:viewer`. Kubernetes reserves the `system:` prefix for its own objects, and binding-all-authenticated (a manifest check of the hardening catalogue, like Polaris’ checks) leaves those to `rampart rbac`. kubescape judges the bound role’s content instead. A deliberate choice, listed as a disagreement. (The CIS 5.1 RBAC controls exempt only objects labelled kubernetes.io/bootstrapping: rbac-defaults, not names.)',
  ],
];

export function explain(corpus: string, fixture: string): string | undefined {
  return DISAGREEMENT_EXPLANATIONS.find(([key]) => {
    const [keyCorpus, keyFixture] = key.split('|');
    return keyCorpus === corpus && keyFixture !== undefined && fixture.includes(keyFixture);
  })?.[1];
}

/** Upstream checks deliberately left without an equivalent although a Rampart check looks similar. */
export const NOT_EQUIVALENT: ReadonlyArray<readonly [string, string]> = [
  ['kubescape:rule-credentials-in-env-var', 'matches sensitive words inside values too (`my_key_value` counts); env-secret-literal judges names and value formats.'],
  ['kubescape:CVE-2021-25741, C-0058', 'fires on any subPath mount when the node version is vulnerable (from Node objects); container-subpath-host-path judges the manifest pattern (subPath into hostPath) for every version.'],
  ['kubescape:CVE-2021-25742, C-0059', 'judges the ingress-nginx controller’s image version and ConfigMap; ingress-nginx-snippet judges snippet annotations and allow-snippet-annotations.'],
  ['kubescape:set-seLinuxOptions, set-procmount-default, set-seccomp-profile-RuntimeDefault', 'ask for a setting to be present or exactly RuntimeDefault (Localhost fails); Rampart’s checks report settings that lift confinement.'],
  ['kubescape:psp-*', 'judge PodSecurityPolicy objects (removed in Kubernetes 1.25); Rampart judges pods.'],
  ['kubescape:exposure-to-internet, C-0021, external-secret-storage, serviceaccount-token-mount', 'judge different things (exposure through Ingress, known sensitive images, KMS configuration, token use together with RBAC).'],
  ['polaris:nakedPod (in this corpus)', 'the fixtures test an example custom check about labels, not naked pods.'],
  ['polaris:*binding*PodExecAttach', 'judge the binding that makes a role effective; role-exec-into-pods judges the role, so labels about unbound roles and missing role references do not compare.'],
  ['kube-linter:scc-deny-privileged-container', 'judges OpenShift SecurityContextConstraints objects.'],
];
