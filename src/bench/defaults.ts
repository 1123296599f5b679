/**
 * What a component runs with when nothing sets a value, per Kubernetes
 * version. Only settings the benchmark reads are listed. A default that
 * changed between releases lists each value with the first minor version it
 * applies to, so a new release adds an entry instead of an `if`.
 */
import type { ComponentName } from './model.js';

export interface VersionedDefault {
  /** First Kubernetes minor version (1.N) the value applies to. */
  readonly since: number;
  /** undefined: the setting is unset by default. */
  readonly value: string | undefined;
}

type DefaultTable = Readonly<Record<string, readonly VersionedDefault[]>>;
const always = (value: string | undefined): readonly VersionedDefault[] => [{ since: 0, value }];

/** Admission plugins the API server enables when --enable-admission-plugins does not name them. */
export const DEFAULT_ADMISSION_PLUGINS: readonly VersionedDefault[] = [
  {
    since: 0,
    value:
      'NamespaceLifecycle,LimitRanger,ServiceAccount,TaintNodesByCondition,PodSecurity,Priority,DefaultTolerationSeconds,DefaultStorageClass,StorageObjectInUseProtection,PersistentVolumeClaimResize,RuntimeClass,CertificateApproval,CertificateSigning,ClusterTrustBundleAttest,CertificateSubjectRestriction,DefaultIngressClass,MutatingAdmissionWebhook,ValidatingAdmissionPolicy,ValidatingAdmissionWebhook,ResourceQuota',
  },
];

/** Flag defaults of the flag-configured components. */
export const FLAG_DEFAULTS: Readonly<Partial<Record<ComponentName, DefaultTable>>> = {
  'kube-apiserver': {
    'anonymous-auth': always('true'),
    'authorization-mode': always('AlwaysAllow'),
    profiling: always('true'),
    'enable-admission-plugins': always(''),
    'disable-admission-plugins': always(''),
    'audit-log-maxage': always('0'),
    'audit-log-maxbackup': always('0'),
    'audit-log-maxsize': always('0'),
    'request-timeout': always('1m0s'),
    'service-account-lookup': always('true'),
    'service-account-extend-token-expiration': always('true'),
    'secure-port': always('6443'),
  },
  'kube-controller-manager': {
    profiling: always('true'),
    'use-service-account-credentials': always('false'),
    'bind-address': always('0.0.0.0'),
    'terminated-pod-gc-threshold': always('12500'),
  },
  'kube-scheduler': {
    profiling: always('true'),
    'bind-address': always('0.0.0.0'),
  },
  etcd: {
    'client-cert-auth': always('false'),
    'peer-client-cert-auth': always('false'),
    'auto-tls': always('false'),
    'peer-auto-tls': always('false'),
    'data-dir': always('/var/lib/etcd'),
  },
  'kube-proxy': {
    'metrics-bind-address': always('127.0.0.1:10249'),
  },
};

/**
 * Kubelet defaults differ by how it is configured: with a KubeletConfiguration
 * file (`--config`) the v1beta1 defaults apply (anonymous auth off, Webhook
 * authorization, no read-only port); with flags alone the historical flag
 * defaults apply (anonymous auth on, AlwaysAllow, read-only port 10255).
 */
export interface KubeletDefault {
  readonly withConfigFile: readonly VersionedDefault[];
  readonly flagsOnly: readonly VersionedDefault[];
}

const both = (value: string | undefined): KubeletDefault => ({ withConfigFile: always(value), flagsOnly: always(value) });

export const KUBELET_DEFAULTS: Readonly<Record<string, KubeletDefault>> = {
  'authentication.anonymous.enabled': { withConfigFile: always('false'), flagsOnly: always('true') },
  'authentication.webhook.enabled': { withConfigFile: always('true'), flagsOnly: always('false') },
  'authorization.mode': { withConfigFile: always('Webhook'), flagsOnly: always('AlwaysAllow') },
  'authentication.x509.clientCAFile': both(undefined),
  readOnlyPort: { withConfigFile: always('0'), flagsOnly: always('10255') },
  streamingConnectionIdleTimeout: both('4h0m0s'),
  makeIPTablesUtilChains: both('true'),
  eventRecordQPS: both('50'),
  tlsCertFile: both(undefined),
  tlsPrivateKeyFile: both(undefined),
  rotateCertificates: both('false'),
  serverTLSBootstrap: both('false'),
  // Beta and on by default since 1.12.
  'featureGates.RotateKubeletServerCertificate': { withConfigFile: [{ since: 0, value: 'false' }, { since: 12, value: 'true' }], flagsOnly: [{ since: 0, value: 'false' }, { since: 12, value: 'true' }] },
  tlsCipherSuites: both(undefined),
  podPidsLimit: both('-1'),
  seccompDefault: both('false'),
  protectKernelDefaults: both('false'),
  hostnameOverride: both(undefined),
  staticPodPath: both(undefined),
};

/** Kubelet flags and the KubeletConfiguration fields they set. */
export const KUBELET_FLAG_FIELDS: Readonly<Record<string, string>> = {
  'anonymous-auth': 'authentication.anonymous.enabled',
  'authentication-token-webhook': 'authentication.webhook.enabled',
  'authorization-mode': 'authorization.mode',
  'client-ca-file': 'authentication.x509.clientCAFile',
  'read-only-port': 'readOnlyPort',
  'streaming-connection-idle-timeout': 'streamingConnectionIdleTimeout',
  'make-iptables-util-chains': 'makeIPTablesUtilChains',
  'event-qps': 'eventRecordQPS',
  'tls-cert-file': 'tlsCertFile',
  'tls-private-key-file': 'tlsPrivateKeyFile',
  'rotate-certificates': 'rotateCertificates',
  'rotate-server-certificates': 'serverTLSBootstrap',
  'tls-cipher-suites': 'tlsCipherSuites',
  'pod-max-pids': 'podPidsLimit',
  'seccomp-default': 'seccompDefault',
  'protect-kernel-defaults': 'protectKernelDefaults',
  'hostname-override': 'hostnameOverride',
  'pod-manifest-path': 'staticPodPath',
};

/** The minor version Rampart assumes when no image or flag tells (the newest the benchmark covers). */
export const ASSUMED_MINOR_VERSION = 32;

export function defaultFor(entries: readonly VersionedDefault[] | undefined, minor: number): VersionedDefault | undefined {
  if (entries === undefined) return undefined;
  let chosen: VersionedDefault | undefined;
  for (const entry of entries) if (entry.since <= minor) chosen = entry;
  return chosen;
}
