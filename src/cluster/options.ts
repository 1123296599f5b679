/** The options every cluster command shares (scan --cluster, snapshot, watch), declared once. */
import type { Command } from 'commander';

export interface ClusterFlags {
  readonly cluster?: boolean;
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly namespace?: string;
  readonly allNamespaces?: boolean;
  readonly sourceMap?: string;
}

/** `scan` adds --cluster and --source-map; `snapshot` and `watch` always read a cluster and map nothing. */
export function addClusterOptions(command: Command, forScan: boolean): Command {
  if (forScan) command.option('--cluster', 'scan a live cluster (the kubeconfig context, or in-cluster credentials) instead of files; see docs/cluster.md');
  command
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster credentials)')
    .option('--context <name>', 'kubeconfig context (default: the current context)')
    .option('-n, --namespace <namespace>', 'read namespaced objects of this namespace only (default: all namespaces)')
    .option('-A, --all-namespaces', 'read every namespace (the default)');
  if (forScan) command.option('--source-map <dir>', 'with --cluster: manifests the cluster was deployed from; findings on matching objects name their file and line');
  return command;
}
