/** CIS 4: worker node files, kubelet, kube-proxy. */
import type { EffectiveNode } from '../effective.js';
import { lastFlag } from '../flags.js';
import { isRecord, parseYamlText } from '../yamlText.js';
import { fail, info, isFalse, isSet, isTrue, judgeKnown, judgeOwnership, judgePermissions, judgeSetting, missingComponent, pass, show, warn, type FileRequirement } from './helpers.js';
import { kubeletUnitFiles } from './files.js';
import { isLoopback, strongCiphers } from './master.js';
import type { Control, Outcome } from './types.js';

const KUBELET_CONFIG = 'In the KubeletConfiguration file (--config, usually /var/lib/kubelet/config.yaml)';

function onFiles(files: FileRequirement[] | string, judge: (files: FileRequirement[]) => Outcome): Outcome {
  return typeof files === 'string' ? info([files]) : judge(files);
}

function unitFiles(node: EffectiveNode): FileRequirement[] | string {
  const files = kubeletUnitFiles(node);
  if (files.length > 0) return files;
  return node.component('kubelet') === undefined ? 'the kubelet was not found on this node' : 'the kubelet has no systemd unit file on this node';
}

function proxyKubeconfig(node: EffectiveNode): FileRequirement[] | string {
  const proxy = node.component('kube-proxy');
  if (proxy === undefined) return 'kube-proxy was not found on this node (it usually runs as a DaemonSet whose files are not on the host)';
  const flag = lastFlag(proxy.facts.flags, 'kubeconfig');
  const connection = isRecord(proxy.config) && isRecord(proxy.config.clientConnection) ? proxy.config.clientConnection.kubeconfig : undefined;
  const path = flag?.value ?? (typeof connection === 'string' && connection !== '' ? connection : undefined);
  if (path === undefined) return 'kube-proxy names no kubeconfig file';
  return [{ path, what: 'kube-proxy kubeconfig', optional: true }];
}

function kubeletKubeconfig(node: EffectiveNode): FileRequirement[] | string {
  const kubelet = node.component('kubelet');
  if (kubelet === undefined) return 'the kubelet was not found on this node';
  const flag = lastFlag(kubelet.facts.flags, 'kubeconfig');
  return [{ path: flag?.value ?? '/etc/kubernetes/kubelet.conf', what: 'kubelet kubeconfig' }];
}

function clientCaFile(node: EffectiveNode): FileRequirement[] | string {
  const kubelet = node.component('kubelet');
  if (kubelet === undefined) return 'the kubelet was not found on this node';
  const setting = kubelet.setting('authentication.x509.clientCAFile');
  if (!isSet(setting.value)) return `${show(kubelet, setting)}: the kubelet names no client CA file`;
  return [{ path: setting.value!, what: 'kubelet client CA file' }];
}

function kubeletConfigFiles(node: EffectiveNode): FileRequirement[] | string {
  const kubelet = node.component('kubelet');
  if (kubelet === undefined) return 'the kubelet was not found on this node';
  const config = lastFlag(kubelet.facts.flags, 'config');
  const files: FileRequirement[] = [];
  if (config !== undefined) files.push({ path: config.value, what: 'kubelet config file' });
  for (const path of kubelet.configFiles) if (path !== config?.value) files.push({ path, what: 'kubelet config drop-in' });
  return files.length === 0 ? 'the kubelet runs without a config file (--config unset)' : files;
}

function fileControls(first: number, title: string, locate: (node: EffectiveNode) => FileRequirement[] | string, mode: number, remediation: [string, string], automated: boolean, severity: Control['severity']): Control[] {
  const extra = automated ? {} : { automatedByRampart: true };
  return [
    { id: `4.1.${first}`, section: '4.1', title: `${title} has mode ${mode.toString(8)} or stricter`, automated, ...extra, severity, remediation: remediation[0], evaluate: (node) => onFiles(locate(node), (files) => judgePermissions(node, files, mode)) },
    { id: `4.1.${first + 1}`, section: '4.1', title: `${title} is owned by root:root`, automated, ...extra, severity, remediation: remediation[1], evaluate: (node) => onFiles(locate(node), (files) => judgeOwnership(node, files, 'root', 'root')) },
  ];
}

const WORKER_FILES: Control[] = [
  ...fileControls(1, 'The kubelet systemd unit and its drop-ins', unitFiles, 0o600, ['Run `chmod 600` on the kubelet unit file and on /etc/systemd/system/kubelet.service.d/*.conf.', 'Run `chown root:root` on the kubelet unit file and its drop-ins.'], true, 'medium'),
  ...fileControls(3, "kube-proxy's kubeconfig, if it exists,", proxyKubeconfig, 0o600, ["Run `chmod 600` on the kubeconfig kube-proxy's --kubeconfig or clientConnection.kubeconfig names.", 'Run `chown root:root` on that kubeconfig.'], false, 'high'),
  ...fileControls(5, "The kubelet's kubeconfig (--kubeconfig)", kubeletKubeconfig, 0o600, ['Run `chmod 600 /etc/kubernetes/kubelet.conf` (or the file --kubeconfig names).', 'Run `chown root:root /etc/kubernetes/kubelet.conf`.'], true, 'high'),
  ...fileControls(7, "The kubelet's client CA file", clientCaFile, 0o644, ['Run `chmod 644` on the file authentication.x509.clientCAFile (or --client-ca-file) names.', 'Run `chown root:root` on that file.'], false, 'medium'),
  ...fileControls(9, "The kubelet's config file and drop-ins", kubeletConfigFiles, 0o600, ['Run `chmod 600 /var/lib/kubelet/config.yaml` and on the files of --config-dir.', 'Run `chown root:root /var/lib/kubelet/config.yaml` and the files of --config-dir.'], true, 'high'),
];

function kubelet(id: string, title: string, field: string, judge: (value: string | undefined) => boolean, expectation: string, remediation: string, severity: Control['severity'], automated = true): Control {
  return { id, section: '4.2', title, automated, ...(automated ? {} : { automatedByRampart: true }), severity, remediation, evaluate: (node) => judgeSetting(node, 'kubelet', field, judge, expectation) };
}

/** A Go duration is zero when it has no non-zero digit (`0`, `0s`, `0h0m0s`). */
const isZeroDuration = (value: string | undefined): boolean => value !== undefined && !/[1-9]/.test(value);

const KUBELET_STRONG_CIPHERS = new Set([
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305',
  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305', 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
]);

const KUBELET: Control[] = [
  kubelet('4.2.1', 'The kubelet refuses anonymous requests', 'authentication.anonymous.enabled', isFalse, 'anonymous authentication disabled', `${KUBELET_CONFIG} set \`authentication: {anonymous: {enabled: false}}\` and remove \`--anonymous-auth=true\` from the kubelet's flags.`, 'critical'),
  kubelet('4.2.2', 'Kubelet authorization is not AlwaysAllow', 'authorization.mode', (value) => isSet(value) && value !== 'AlwaysAllow', 'authorization mode Webhook', `${KUBELET_CONFIG} set \`authorization: {mode: Webhook}\` and remove \`--authorization-mode=AlwaysAllow\` from the flags.`, 'critical'),
  kubelet('4.2.3', 'The kubelet verifies client certificates (client CA file)', 'authentication.x509.clientCAFile', isSet, 'a client CA file', `${KUBELET_CONFIG} set \`authentication: {x509: {clientCAFile: /etc/kubernetes/pki/ca.crt}}\`.`, 'high'),
  kubelet('4.2.4', 'The kubelet read-only port is off (readOnlyPort: 0)', 'readOnlyPort', (value) => value === '0', 'readOnlyPort 0', `${KUBELET_CONFIG} set \`readOnlyPort: 0\` and remove \`--read-only-port\` from the flags.`, 'high', false),
  kubelet('4.2.5', 'Idle streaming connections time out (streamingConnectionIdleTimeout not 0)', 'streamingConnectionIdleTimeout', (value) => !isZeroDuration(value), 'a non-zero timeout', `${KUBELET_CONFIG} set \`streamingConnectionIdleTimeout\` to e.g. 4h0m0s, never 0.`, 'low', false),
  kubelet('4.2.6', 'The kubelet manages its iptables chains (makeIPTablesUtilChains: true)', 'makeIPTablesUtilChains', isTrue, 'makeIPTablesUtilChains true', `${KUBELET_CONFIG} set \`makeIPTablesUtilChains: true\` or remove the setting and the flag.`, 'low'),
  {
    id: '4.2.7',
    section: '4.2',
    title: 'The kubelet does not override the node name (--hostname-override unset)',
    automated: false,
    automatedByRampart: true,
    severity: 'low',
    remediation: "Remove `--hostname-override` from the kubelet's flags (some cloud providers need it; then this control does not apply).",
    evaluate: (node) => {
      const component = node.component('kubelet');
      if (component === undefined) return missingComponent(node, 'kubelet');
      const flag = lastFlag(component.facts.flags, 'hostname-override');
      if (flag === undefined) return pass(['--hostname-override is not set'], { file: component.facts.file });
      return fail([`--hostname-override=${flag.value} (flag, ${flag.file}${flag.line === undefined ? '' : `:${flag.line}`})`], flag);
    },
  },
  {
    id: '4.2.8',
    section: '4.2',
    title: 'The kubelet records events at a rate that suits the cluster (eventRecordQPS)',
    automated: false,
    severity: 'low',
    remediation: `${KUBELET_CONFIG} set \`eventRecordQPS\` to a level that keeps the events you need (0 means no limit).`,
    evaluate: (node) => {
      const component = node.component('kubelet');
      if (component === undefined) return missingComponent(node, 'kubelet');
      return warn([`manual: ${show(component, component.setting('eventRecordQPS'))}`], { file: component.facts.file });
    },
  },
  {
    id: '4.2.9',
    section: '4.2',
    title: 'The kubelet serves a CA-signed certificate (tlsCertFile/tlsPrivateKeyFile or serverTLSBootstrap)',
    automated: false,
    automatedByRampart: true,
    severity: 'medium',
    remediation: `${KUBELET_CONFIG} set \`tlsCertFile\` and \`tlsPrivateKeyFile\`, or \`serverTLSBootstrap: true\` and approve the kubelets' serving CSRs.`,
    evaluate: (node) => {
      const component = node.component('kubelet');
      if (component === undefined) return missingComponent(node, 'kubelet');
      const cert = component.setting('tlsCertFile');
      const key = component.setting('tlsPrivateKeyFile');
      const bootstrap = component.setting('serverTLSBootstrap');
      if (isTrue(bootstrap.value)) return judgeKnown(component, bootstrap, true, 'serverTLSBootstrap true');
      const ok = isSet(cert.value) && isSet(key.value);
      const outcome = judgeKnown(component, cert, ok, 'tlsCertFile and tlsPrivateKeyFile set, or serverTLSBootstrap true');
      const details = [...outcome.details, show(component, key), show(component, bootstrap)];
      return ok || outcome.status !== 'FAIL' ? { ...outcome, details } : { ...outcome, details: [...details, 'without them the kubelet serves a self-signed certificate'] };
    },
  },
  kubelet('4.2.10', 'The kubelet rotates its client certificate (rotateCertificates: true)', 'rotateCertificates', isTrue, 'rotateCertificates true', `${KUBELET_CONFIG} set \`rotateCertificates: true\` and remove \`--rotate-certificates=false\` from the flags.`, 'medium'),
  kubelet('4.2.11', 'Kubelet serving-certificate rotation is not disabled (RotateKubeletServerCertificate)', 'featureGates.RotateKubeletServerCertificate', (value) => !isFalse(value), 'the RotateKubeletServerCertificate feature gate on', `${KUBELET_CONFIG} remove \`featureGates: {RotateKubeletServerCertificate: false}\` and the same from \`--feature-gates\`.`, 'medium', false),
  kubelet('4.2.12', 'The kubelet only offers strong TLS cipher suites', 'tlsCipherSuites', (value) => strongCiphers(value, KUBELET_STRONG_CIPHERS), 'tlsCipherSuites limited to ECDHE AES-GCM and ChaCha20-Poly1305 suites', `${KUBELET_CONFIG} set \`tlsCipherSuites\` to ECDHE suites with AES-GCM or ChaCha20-Poly1305 only.`, 'medium', false),
  kubelet('4.2.13', 'Pods have a process-ID limit (podPidsLimit)', 'podPidsLimit', (value) => value !== undefined && /^\d+$/.test(value) && Number(value) > 0, 'a positive podPidsLimit', `${KUBELET_CONFIG} set \`podPidsLimit\` (e.g. 4096) so a fork bomb in one pod cannot exhaust the node.`, 'medium', false),
  kubelet('4.2.14', 'Containers get the runtime default seccomp profile (seccompDefault: true)', 'seccompDefault', isTrue, 'seccompDefault true', `${KUBELET_CONFIG} set \`seccompDefault: true\` (test workloads first).`, 'medium', false),
];

/** kubeadm's kube-proxy ConfigMap (data["config.conf"]), among the manifests or given with --configmap. */
function proxyConfigMap(node: EffectiveNode): Outcome | undefined {
  for (const facts of Object.values(node.snapshot.files)) {
    if (facts.content === undefined || !/\.(ya?ml|json)$/.test(facts.path) || !facts.content.includes('kube-proxy')) continue;
    const parsed = parseYamlText(facts.content);
    if (!parsed.ok) continue;
    for (const document of parsed.documents) {
      const value = document.value;
      if (!isRecord(value) || value.kind !== 'ConfigMap' || !isRecord(value.metadata) || value.metadata.name !== 'kube-proxy' || !isRecord(value.data)) continue;
      const text = value.data['config.conf'];
      if (typeof text !== 'string') return warn([`${facts.path}: the kube-proxy ConfigMap has no config.conf`], { file: facts.path });
      const config = parseYamlText(text);
      const inner = config.ok ? config.documents[0] : undefined;
      if (inner === undefined || !isRecord(inner.value)) return warn([`${facts.path}: config.conf of the kube-proxy ConfigMap is malformed`], { file: facts.path });
      const offset = document.lineOf(['data', 'config.conf']) ?? 0;
      const raw = inner.value.metricsBindAddress;
      const explicit = typeof raw === 'string' && raw !== '';
      const value_ = explicit ? raw : '127.0.0.1:10249';
      const line = explicit ? offset + (inner.lineOf(['metricsBindAddress']) ?? 0) : undefined;
      const evidence = explicit ? `metricsBindAddress=${value_} (kube-proxy ConfigMap, ${facts.path}:${line})` : `metricsBindAddress=${value_} (default; the kube-proxy ConfigMap in ${facts.path} leaves it empty)`;
      const at = line === undefined ? { file: facts.path } : { file: facts.path, line };
      return isLoopback(value_) ? pass([evidence], at) : fail([evidence, 'expected: a loopback metrics address'], at);
    }
  }
  return undefined;
}

const PROXY: Control[] = [
  {
    id: '4.3.1',
    section: '4.3',
    title: 'kube-proxy serves metrics on loopback only',
    automated: true,
    severity: 'medium',
    remediation: 'In the kube-proxy configuration (the kube-proxy ConfigMap for kubeadm) set `metricsBindAddress: 127.0.0.1:10249`, or pass `--metrics-bind-address=127.0.0.1:10249`.',
    evaluate: (node) => {
      const proxy = node.component('kube-proxy');
      if (proxy === undefined) {
        const configMap = proxyConfigMap(node);
        if (configMap === undefined) return info(['kube-proxy was not found on this node (it usually runs as a DaemonSet: pass its ConfigMap with --configmap)']);
        return configMap;
      }
      const setting = proxy.setting('metrics-bind-address');
      const outcome = judgeKnown(proxy, setting, isLoopback(setting.value), 'a loopback metrics address');
      return outcome.status === 'FAIL' && setting.value === undefined ? fail([...outcome.details], outcome) : outcome;
    },
  },
];

export const NODE_CONTROLS: readonly Control[] = [...WORKER_FILES, ...KUBELET, ...PROXY];
