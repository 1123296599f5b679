/** The CIS Kubernetes Benchmark versions Rampart implements, their sections and controls. */
import { ETCD_CONTROLS } from './controls/etcd.js';
import { CONTROLPLANE_CONTROLS } from './controls/controlplane.js';
import { MASTER_CONTROLS } from './controls/master.js';
import { NODE_CONTROLS } from './controls/node.js';
import { POLICY_CONTROLS } from './controls/policies.js';
import { SERVICE_ACCOUNT_KEY_ROTATION } from './controls/serviceAccountKeys.js';
import type { Control, Section, Target } from './controls/types.js';

export interface Benchmark {
  readonly id: string;
  readonly title: string;
  /** Kubernetes minor versions the benchmark is written for. */
  readonly minors: readonly number[];
  readonly sections: readonly Section[];
  readonly controls: readonly Control[];
}

export const CIS_1_12: Benchmark = {
  id: 'cis-1.12',
  title: 'CIS Kubernetes Benchmark v1.12.0',
  minors: [32, 33, 34],
  sections: [
    { id: '1.1', title: 'Control plane node configuration files', target: 'master' },
    { id: '1.2', title: 'API server', target: 'master' },
    { id: '1.3', title: 'Controller manager', target: 'master' },
    { id: '1.4', title: 'Scheduler', target: 'master' },
    { id: '2', title: 'etcd', target: 'etcd' },
    { id: '3.1', title: 'Authentication and authorization', target: 'controlplane' },
    { id: '3.2', title: 'Logging', target: 'controlplane' },
    { id: '4.1', title: 'Worker node configuration files', target: 'node' },
    { id: '4.2', title: 'Kubelet', target: 'node' },
    { id: '4.3', title: 'kube-proxy', target: 'node' },
    { id: '5.1', title: 'RBAC and service accounts', target: 'policies' },
    { id: '5.2', title: 'Pod Security Standards', target: 'policies' },
    { id: '5.3', title: 'Network policies and CNI', target: 'policies' },
    { id: '5.4', title: 'Secrets management', target: 'policies' },
    { id: '5.5', title: 'Extensible admission control', target: 'policies' },
    { id: '5.6', title: 'General policies', target: 'policies' },
    { id: 'dns', title: 'CoreDNS (Rampart, not CIS)', target: 'coredns' },
    { id: 'cve', title: 'Known Kubernetes CVEs (Rampart, not CIS)', target: 'cves' },
  ],
  controls: [...MASTER_CONTROLS, SERVICE_ACCOUNT_KEY_ROTATION, ...ETCD_CONTROLS, ...CONTROLPLANE_CONTROLS, ...NODE_CONTROLS, ...POLICY_CONTROLS],
};

export const BENCHMARKS: readonly Benchmark[] = [CIS_1_12];
export const BENCHMARK_CHOICES = ['auto', ...BENCHMARKS.map((benchmark) => benchmark.id)] as const;

/** `auto` picks the benchmark written for the node's Kubernetes minor version, or the newest one. */
export function resolveBenchmark(requested: string, minor: number): { benchmark: Benchmark; note?: string } | undefined {
  if (requested !== 'auto') {
    const benchmark = BENCHMARKS.find((candidate) => candidate.id === requested);
    return benchmark === undefined ? undefined : { benchmark };
  }
  const matching = BENCHMARKS.find((candidate) => candidate.minors.includes(minor));
  if (matching !== undefined) return { benchmark: matching };
  const newest = BENCHMARKS[BENCHMARKS.length - 1]!;
  return { benchmark: newest, note: `no benchmark is written for Kubernetes 1.${minor}; using ${newest.id} (for 1.${newest.minors.join(', 1.')})` };
}

export function targetsOf(benchmark: Benchmark): Target[] {
  return [...new Set(benchmark.sections.map((section) => section.target))];
}
