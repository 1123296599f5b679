/** CIS 1.x: control-plane node files, API server, controller manager, scheduler. */
import { DEFAULT_ADMISSION_PLUGINS, defaultFor } from '../defaults.js';
import type { EffectiveComponent, EffectiveNode } from '../effective.js';
import type { Setting } from '../model.js';
import { isRecord, parseYamlText } from '../yamlText.js';
import { directoryFiles, fail, info, isFalse, isSet, isTrue, judgeAll, judgeKnown, judgeOwnership, judgePermissions, judgeSetting, listOf, atLeast, missingComponent, pass, show, warn, type FileRequirement } from './helpers.js';
import { kubeconfigOf, manifestOf } from './files.js';
import type { Control, Outcome } from './types.js';

const PKI = '/etc/kubernetes/pki';

function onFiles(files: FileRequirement[] | string | Outcome, judge: (files: FileRequirement[]) => Outcome): Outcome {
  if (typeof files === 'string') return info([files]);
  return Array.isArray(files) ? judge(files) : files;
}

function manifestControls(first: number, component: 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'etcd', what: string): Control[] {
  return [
    {
      id: `1.1.${first}`,
      section: '1.1',
      title: `The ${what} static pod manifest has mode 600 or stricter`,
      automated: true,
      severity: 'medium',
      remediation: `On each control-plane node run \`chmod 600 /etc/kubernetes/manifests/${component}.yaml\`.`,
      evaluate: (node) => onFiles(manifestOf(node, component, `${what} manifest`), (files) => judgePermissions(node, files, 0o600)),
    },
    {
      id: `1.1.${first + 1}`,
      section: '1.1',
      title: `The ${what} static pod manifest is owned by root:root`,
      automated: true,
      severity: 'medium',
      remediation: `On each control-plane node run \`chown root:root /etc/kubernetes/manifests/${component}.yaml\`.`,
      evaluate: (node) => onFiles(manifestOf(node, component, `${what} manifest`), (files) => judgeOwnership(node, files, 'root', 'root')),
    },
  ];
}

function kubeconfigControls(first: number, file: string, component: 'kube-scheduler' | 'kube-controller-manager'): Control[] {
  const locate = (node: EffectiveNode): FileRequirement[] | string => kubeconfigOf(node, component, `/etc/kubernetes/${file}`, `${component} kubeconfig`);
  return [
    {
      id: `1.1.${first}`,
      section: '1.1',
      title: `The ${file} kubeconfig has mode 600 or stricter`,
      automated: true,
      severity: 'high',
      remediation: `Run \`chmod 600 /etc/kubernetes/${file}\` (or the file ${component} names with --kubeconfig).`,
      evaluate: (node) => onFiles(locate(node), (files) => judgePermissions(node, files, 0o600)),
    },
    {
      id: `1.1.${first + 1}`,
      section: '1.1',
      title: `The ${file} kubeconfig is owned by root:root`,
      automated: true,
      severity: 'high',
      remediation: `Run \`chown root:root /etc/kubernetes/${file}\`.`,
      evaluate: (node) => onFiles(locate(node), (files) => judgeOwnership(node, files, 'root', 'root')),
    },
  ];
}

function isControlPlane(node: EffectiveNode): boolean {
  return node.component('kube-apiserver') !== undefined || node.file('/etc/kubernetes/manifests/kube-apiserver.yaml')?.exists === true;
}

function adminConfs(node: EffectiveNode): FileRequirement[] | string {
  if (!isControlPlane(node) && node.file('/etc/kubernetes/admin.conf')?.exists !== true) return 'not a control-plane node (no kube-apiserver) and no /etc/kubernetes/admin.conf';
  const files: FileRequirement[] = [{ path: '/etc/kubernetes/admin.conf', what: 'administrator kubeconfig' }];
  if (node.file('/etc/kubernetes/super-admin.conf')?.exists === true) files.push({ path: '/etc/kubernetes/super-admin.conf', what: 'super-administrator kubeconfig' });
  return files;
}

function cniFiles(node: EffectiveNode): FileRequirement[] | string {
  const files = directoryFiles(node, '/etc/cni/net.d', () => true, 'CNI configuration');
  return files.length === 0 ? 'no CNI configuration files under /etc/cni/net.d' : files;
}

function etcdDataDirectory(node: EffectiveNode): FileRequirement[] | string | Outcome {
  const etcd = node.component('etcd');
  if (etcd === undefined) return missingComponent(node, 'etcd');
  const setting = etcd.setting('data-dir');
  return setting.value === undefined ? 'etcd has no data directory' : [{ path: setting.value, what: 'etcd data directory' }];
}

function pkiFiles(node: EffectiveNode, filter: (name: string) => boolean, what: string): FileRequirement[] | string {
  if (node.file(PKI)?.exists !== true) return `${PKI} does not exist on this node`;
  return directoryFiles(node, PKI, filter, what);
}

const MASTER_FILES: Control[] = [
  ...manifestControls(1, 'kube-apiserver', 'API server'),
  ...manifestControls(3, 'kube-controller-manager', 'controller manager'),
  ...manifestControls(5, 'kube-scheduler', 'scheduler'),
  ...manifestControls(7, 'etcd', 'etcd'),
  {
    id: '1.1.9',
    section: '1.1',
    title: 'CNI configuration files have mode 600 or stricter',
    automated: false,
    automatedByRampart: true,
    severity: 'medium',
    remediation: 'Run `chmod 600` on the files under /etc/cni/net.d.',
    evaluate: (node) => onFiles(cniFiles(node), (files) => judgePermissions(node, files, 0o600)),
  },
  {
    id: '1.1.10',
    section: '1.1',
    title: 'CNI configuration files are owned by root:root',
    automated: false,
    automatedByRampart: true,
    severity: 'medium',
    remediation: 'Run `chown root:root` on the files under /etc/cni/net.d.',
    evaluate: (node) => onFiles(cniFiles(node), (files) => judgeOwnership(node, files, 'root', 'root')),
  },
  {
    id: '1.1.11',
    section: '1.1',
    title: 'The etcd data directory has mode 700 or stricter',
    automated: true,
    severity: 'high',
    remediation: "Find the directory etcd's --data-dir names and run `chmod 700` on it.",
    evaluate: (node) => onFiles(etcdDataDirectory(node), (files) => judgePermissions(node, files, 0o700)),
  },
  {
    id: '1.1.12',
    section: '1.1',
    title: 'The etcd data directory is owned by etcd:etcd',
    automated: true,
    severity: 'medium',
    remediation: "Create an etcd user and group if needed and run `chown -R etcd:etcd` on the directory etcd's --data-dir names.",
    evaluate: (node) => onFiles(etcdDataDirectory(node), (files) => judgeOwnership(node, files, 'etcd', 'etcd')),
  },
  {
    id: '1.1.13',
    section: '1.1',
    title: 'Administrator kubeconfigs (admin.conf, super-admin.conf) have mode 600',
    automated: true,
    severity: 'critical',
    remediation: 'Run `chmod 600 /etc/kubernetes/admin.conf /etc/kubernetes/super-admin.conf`.',
    evaluate: (node) => onFiles(adminConfs(node), (files) => judgePermissions(node, files, 0o600)),
  },
  {
    id: '1.1.14',
    section: '1.1',
    title: 'Administrator kubeconfigs (admin.conf, super-admin.conf) are owned by root:root',
    automated: true,
    severity: 'critical',
    remediation: 'Run `chown root:root /etc/kubernetes/admin.conf /etc/kubernetes/super-admin.conf`.',
    evaluate: (node) => onFiles(adminConfs(node), (files) => judgeOwnership(node, files, 'root', 'root')),
  },
  ...kubeconfigControls(15, 'scheduler.conf', 'kube-scheduler'),
  ...kubeconfigControls(17, 'controller-manager.conf', 'kube-controller-manager'),
  {
    id: '1.1.19',
    section: '1.1',
    title: 'The Kubernetes PKI directory and its files are owned by root:root',
    automated: true,
    severity: 'high',
    remediation: 'Run `chown -R root:root /etc/kubernetes/pki/`.',
    evaluate: (node) => onFiles(pkiFiles(node, () => true, 'PKI file'), (files) => judgeOwnership(node, [{ path: PKI, what: 'PKI directory' }, ...files], 'root', 'root')),
  },
  {
    id: '1.1.20',
    section: '1.1',
    title: 'Kubernetes PKI certificates have mode 644 or stricter',
    automated: false,
    automatedByRampart: true,
    severity: 'medium',
    remediation: 'Run `chmod 644 /etc/kubernetes/pki/*.crt /etc/kubernetes/pki/etcd/*.crt`.',
    evaluate: (node) => onFiles(pkiFiles(node, (name) => name.endsWith('.crt'), 'certificate'), (files) => judgePermissions(node, files, 0o644)),
  },
  {
    id: '1.1.21',
    section: '1.1',
    title: 'Kubernetes PKI private keys have mode 600',
    automated: false,
    automatedByRampart: true,
    severity: 'critical',
    remediation: 'Run `chmod 600 /etc/kubernetes/pki/*.key /etc/kubernetes/pki/etcd/*.key`.',
    evaluate: (node) => onFiles(pkiFiles(node, (name) => name.endsWith('.key'), 'private key'), (files) => judgePermissions(node, files, 0o600)),
  },
];

const API = 'kube-apiserver';
const APISERVER_MANIFEST = 'Edit the API server manifest (/etc/kubernetes/manifests/kube-apiserver.yaml) on each control-plane node';

function apiFlag(id: string, title: string, settingName: string, judge: (value: string | undefined) => boolean, expectation: string, remediation: string, severity: Control['severity'] = 'medium', automated = true): Control {
  return {
    id,
    section: '1.2',
    title,
    automated,
    ...(automated ? {} : { automatedByRampart: true }),
    severity,
    remediation,
    evaluate: (node) => judgeSetting(node, API, settingName, judge, expectation),
  };
}

/** The API server's authorization modes: --authorization-mode, or the authorizers of --authorization-config. */
function authorizationModes(node: EffectiveNode): { component: EffectiveComponent; modes: string[]; evidence: Setting; problem?: string } | Outcome {
  const component = node.component(API);
  if (component === undefined) return missingComponent(node, API);
  const config = component.setting('authorization-config');
  if (config.source === 'flag' && config.value !== undefined) {
    const facts = node.file(config.value);
    const parsed = facts?.content === undefined ? undefined : parseYamlText(facts.content);
    const document = parsed?.ok === true ? parsed.documents[0]?.value : undefined;
    if (!isRecord(document) || !Array.isArray(document.authorizers)) return warn([`${show(component, config)}: the file could not be read or has no authorizers`], config);
    const modes = document.authorizers.map((authorizer) => (isRecord(authorizer) && typeof authorizer.type === 'string' ? authorizer.type : '?'));
    return { component, modes, evidence: { ...config, value: `${config.value} (authorizers: ${modes.join(',')})` } };
  }
  const setting = component.setting('authorization-mode');
  return { component, modes: listOf(setting.value), evidence: setting };
}

function authorizationControl(id: string, title: string, ok: (modes: string[]) => boolean, expectation: string, remediation: string): Control {
  return {
    id,
    section: '1.2',
    title,
    automated: true,
    severity: 'critical',
    remediation,
    evaluate: (node) => {
      const found = authorizationModes(node);
      if ('status' in found) return found;
      return judgeKnown(found.component, found.evidence, ok(found.modes), expectation);
    },
  };
}

/** Admission plugins the API server runs: its defaults, plus --enable-admission-plugins, minus --disable-admission-plugins. */
export function admissionPlugins(node: EffectiveNode, component: EffectiveComponent): { enabled: Set<string>; evidence: Setting[] } {
  const enable = component.setting('enable-admission-plugins');
  const disable = component.setting('disable-admission-plugins');
  const legacy = component.setting('admission-control');
  const enabled = new Set<string>();
  if (legacy.source === 'flag') {
    // The deprecated --admission-control replaces the list entirely.
    for (const plugin of listOf(legacy.value)) enabled.add(plugin);
    return { enabled, evidence: [legacy] };
  }
  for (const plugin of listOf(defaultFor(DEFAULT_ADMISSION_PLUGINS, node.version.minor)?.value)) enabled.add(plugin);
  for (const plugin of listOf(enable.value)) enabled.add(plugin);
  for (const plugin of listOf(disable.value)) enabled.delete(plugin);
  return { enabled, evidence: [enable, disable] };
}

function pluginControl(id: string, plugin: string, wanted: boolean, title: string, remediation: string, automated = true, severity: Control['severity'] = 'medium'): Control {
  return {
    id,
    section: '1.2',
    title,
    automated,
    ...(automated ? {} : { automatedByRampart: true }),
    severity,
    remediation,
    evaluate: (node) => {
      const component = node.component(API);
      if (component === undefined) return missingComponent(node, API);
      const { enabled, evidence } = admissionPlugins(node, component);
      const on = enabled.has(plugin);
      const details = evidence.map((setting) => show(component, setting));
      const where = evidence.find((setting) => setting.source === 'flag') ?? { file: component.facts.file };
      const summary = `${plugin} is ${on ? 'enabled' : 'not enabled'}${evidence.every((setting) => setting.source === 'default') ? ' (default plugin list)' : ''}`;
      if (on === wanted) return pass([summary, ...details], where);
      return fail([summary, ...details, `expected: ${plugin} ${wanted ? 'enabled' : 'not enabled'}`], where);
    },
  };
}

const STRONG_TLS_CIPHERS = new Set([
  'TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305', 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
]);

export function strongCiphers(value: string | undefined, allowed: ReadonlySet<string> = STRONG_TLS_CIPHERS): boolean {
  const suites = listOf(value);
  return suites.length > 0 && suites.every((suite) => allowed.has(suite));
}

/** What the encryption configuration does for Secrets: the first provider of the first entry covering them. */
export function secretEncryption(text: string): { provider: string | undefined; problem?: string } {
  const parsed = parseYamlText(text);
  if (!parsed.ok) return { provider: undefined, problem: `malformed: ${parsed.error}` };
  const document = parsed.documents[0]?.value;
  if (!isRecord(document) || !Array.isArray(document.resources)) return { provider: undefined, problem: 'no resources list' };
  for (const entry of document.resources) {
    if (!isRecord(entry) || !Array.isArray(entry.resources)) continue;
    const covers = entry.resources.some((resource) => resource === 'secrets' || resource === '*.' || resource === '*.*');
    if (!covers) continue;
    const first = Array.isArray(entry.providers) ? entry.providers[0] : undefined;
    if (!isRecord(first)) return { provider: undefined, problem: 'the entry for secrets has no providers' };
    const name = Object.keys(first)[0];
    if (name === 'kms' && isRecord(first.kms) && first.kms.apiVersion === 'v2') return { provider: 'kms (v2)' };
    return { provider: name };
  }
  return { provider: undefined, problem: 'no entry covers secrets, so they are stored unencrypted' };
}

const ENCRYPTING_PROVIDERS = new Set(['aescbc', 'kms', 'kms (v2)', 'secretbox']);

function encryptionProviders(node: EffectiveNode): Outcome {
  const component = node.component(API);
  if (component === undefined) return missingComponent(node, API);
  const setting = component.setting('encryption-provider-config');
  if (setting.value === undefined || setting.value === '') return fail([`${show(component, setting)}: Secrets are stored in etcd unencrypted`], { file: component.facts.file });
  const facts = node.file(setting.value);
  if (facts === undefined || !facts.exists || facts.content === undefined) return warn([`${show(component, setting)}: ${facts?.error ?? 'the file does not exist on the node'}`], setting);
  const { provider, problem } = secretEncryption(facts.content);
  if (provider === undefined) return problem?.startsWith('malformed') === true ? warn([`${setting.value} is ${problem}`], { file: setting.value }) : fail([`${setting.value}: ${problem ?? 'no provider'}`], { file: setting.value });
  if (provider === 'identity') return fail([`${setting.value}: the first provider for secrets is identity, so new Secrets are written unencrypted`], { file: setting.value });
  if (!ENCRYPTING_PROVIDERS.has(provider)) return fail([`${setting.value}: Secrets are encrypted with ${provider}, which is not one of aescbc, secretbox or kms`], { file: setting.value });
  return pass([`${setting.value}: Secrets are encrypted with ${provider} first`], { file: setting.value });
}

function pathFlags(id: string, title: string, flags: string[], remediation: string, severity: Control['severity'] = 'high'): Control {
  return {
    id,
    section: '1.2',
    title,
    automated: true,
    severity,
    remediation,
    evaluate: (node) => judgeAll(flags.map((flag) => judgeSetting(node, API, flag, isSet, `--${flag} set`))),
  };
}

/** Anonymous authentication: --anonymous-auth, or the anonymous section of --authentication-config (which then replaces the flag). */
function anonymousAuthentication(node: EffectiveNode): Outcome {
  const component = node.component(API);
  if (component === undefined) return missingComponent(node, API);
  const config = component.setting('authentication-config');
  if (config.source === 'flag' && config.value !== undefined) {
    const facts = node.file(config.value);
    const parsed = facts?.content === undefined ? undefined : parseYamlText(facts.content);
    if (parsed === undefined || !parsed.ok) return warn([`${show(component, config)}: ${facts?.error ?? (parsed !== undefined && !parsed.ok ? `malformed: ${parsed.error}` : 'the file does not exist on the node')}`], config);
    const document = parsed.documents[0];
    const anonymous = isRecord(document?.value) ? document.value.anonymous : undefined;
    if (isRecord(anonymous) && document !== undefined) {
      const at = { file: config.value, ...(document.lineOf(['anonymous']) === undefined ? {} : { line: document.lineOf(['anonymous'])! }) };
      const where = `${config.value}${at.line === undefined ? '' : `:${at.line}`}`;
      if (anonymous.enabled !== true) return pass([`anonymous.enabled=${String(anonymous.enabled ?? false)} (authentication config, ${where})`], at);
      const conditions = Array.isArray(anonymous.conditions) ? anonymous.conditions : [];
      const paths = conditions.map((condition) => (isRecord(condition) ? String(condition.path) : '?'));
      if (paths.length > 0) return pass([`anonymous requests are allowed only to ${paths.join(', ')} (authentication config, ${where})`], at);
      return fail([`anonymous.enabled=true without conditions (authentication config, ${where})`, 'expected: anonymous disabled, or limited to health endpoints'], at);
    }
  }
  return judgeSetting(node, API, 'anonymous-auth', isFalse, '--anonymous-auth=false');
}

const API_SERVER: Control[] = [
  {
    id: '1.2.1',
    section: '1.2',
    title: 'The API server refuses anonymous requests (--anonymous-auth=false)',
    automated: false,
    automatedByRampart: true,
    severity: 'high',
    remediation: `${APISERVER_MANIFEST} and set \`--anonymous-auth=false\`, or in an AuthenticationConfiguration (--authentication-config) allow anonymous requests only to the health endpoints (\`anonymous: {enabled: true, conditions: [{path: /livez}, {path: /readyz}, {path: /healthz}]}\`).`,
    evaluate: anonymousAuthentication,
  },
  apiFlag('1.2.2', 'The API server does not read static tokens (--token-auth-file unset)', 'token-auth-file', (value) => !isSet(value), '--token-auth-file unset', `${APISERVER_MANIFEST}, remove \`--token-auth-file\` and authenticate with certificates, OIDC or webhooks instead.`, 'high'),
  pluginControl('1.2.3', 'DenyServiceExternalIPs', true, 'The DenyServiceExternalIPs admission plugin is enabled (Services cannot set externalIPs)', `${APISERVER_MANIFEST} and add DenyServiceExternalIPs to \`--enable-admission-plugins\`.`, false),
  pathFlags('1.2.4', 'The API server authenticates to kubelets with a client certificate', ['kubelet-client-certificate', 'kubelet-client-key'], `${APISERVER_MANIFEST} and set \`--kubelet-client-certificate\` and \`--kubelet-client-key\` to the API server's kubelet client certificate and key.`),
  pathFlags('1.2.5', "The API server verifies kubelets' serving certificates (--kubelet-certificate-authority)", ['kubelet-certificate-authority'], `Have kubelets serve certificates signed by a cluster CA (serverTLSBootstrap), then ${APISERVER_MANIFEST.charAt(0).toLowerCase()}${APISERVER_MANIFEST.slice(1)} and set \`--kubelet-certificate-authority\` to that CA.`),
  authorizationControl('1.2.6', 'API server authorization is not AlwaysAllow', (modes) => modes.length > 0 && !modes.includes('AlwaysAllow'), 'authorization modes without AlwaysAllow', `${APISERVER_MANIFEST} and set \`--authorization-mode\` to Node,RBAC (or use an authorization configuration without AlwaysAllow).`),
  authorizationControl('1.2.7', 'API server authorization includes the Node authorizer', (modes) => modes.includes('Node'), 'authorization modes including Node', `${APISERVER_MANIFEST} and include Node in \`--authorization-mode\`.`),
  authorizationControl('1.2.8', 'API server authorization includes RBAC', (modes) => modes.includes('RBAC'), 'authorization modes including RBAC', `${APISERVER_MANIFEST} and include RBAC in \`--authorization-mode\`.`),
  {
    id: '1.2.9',
    section: '1.2',
    title: 'The EventRateLimit admission plugin is enabled and configured',
    automated: false,
    automatedByRampart: true,
    severity: 'low',
    remediation: `Write an AdmissionConfiguration with an EventRateLimit configuration, then ${APISERVER_MANIFEST.charAt(0).toLowerCase()}${APISERVER_MANIFEST.slice(1)}: add EventRateLimit to \`--enable-admission-plugins\` and point \`--admission-control-config-file\` to the file.`,
    evaluate: (node) => {
      const plugin = pluginControl('', 'EventRateLimit', true, '', '').evaluate(node);
      if (plugin.status !== 'PASS') return plugin;
      const component = node.component(API)!;
      const config = component.setting('admission-control-config-file');
      const facts = config.value === undefined ? undefined : node.file(config.value);
      const configured = facts?.content !== undefined && /EventRateLimit/.test(facts.content);
      if (configured) return pass([...plugin.details, `${show(component, config)} configures EventRateLimit`], plugin);
      return warn([...plugin.details, `${show(component, config)}: no EventRateLimit configuration found (the API server refuses to start without one)`], plugin);
    },
  },
  pluginControl('1.2.10', 'AlwaysAdmit', false, 'The AlwaysAdmit admission plugin is not enabled', `${APISERVER_MANIFEST} and remove AlwaysAdmit from \`--enable-admission-plugins\`.`, true, 'high'),
  pluginControl('1.2.11', 'AlwaysPullImages', true, 'The AlwaysPullImages admission plugin is enabled', `${APISERVER_MANIFEST} and add AlwaysPullImages to \`--enable-admission-plugins\`, so private images cached on a node are not used by pods without pull credentials.`, false),
  pluginControl('1.2.12', 'ServiceAccount', true, 'The ServiceAccount admission plugin is enabled', `${APISERVER_MANIFEST} and remove ServiceAccount from \`--disable-admission-plugins\`.`),
  pluginControl('1.2.13', 'NamespaceLifecycle', true, 'The NamespaceLifecycle admission plugin is enabled', `${APISERVER_MANIFEST} and remove NamespaceLifecycle from \`--disable-admission-plugins\`.`),
  pluginControl('1.2.14', 'NodeRestriction', true, 'The NodeRestriction admission plugin is enabled', `${APISERVER_MANIFEST} and add NodeRestriction to \`--enable-admission-plugins\`, so a kubelet can only change its own Node and pods.`, true, 'high'),
  apiFlag('1.2.15', 'API server profiling is off (--profiling=false)', 'profiling', isFalse, '--profiling=false', `${APISERVER_MANIFEST} and set \`--profiling=false\`.`, 'low'),
  apiFlag('1.2.16', 'The API server writes an audit log (--audit-log-path)', 'audit-log-path', isSet, '--audit-log-path set', `${APISERVER_MANIFEST} and set \`--audit-log-path\` to a file on a host mount, with \`--audit-policy-file\`.`, 'high'),
  apiFlag('1.2.17', 'Audit logs are kept at least 30 days (--audit-log-maxage)', 'audit-log-maxage', atLeast(30), '--audit-log-maxage of 30 or more', `${APISERVER_MANIFEST} and set \`--audit-log-maxage=30\` or more.`, 'low'),
  apiFlag('1.2.18', 'At least 10 rotated audit logs are kept (--audit-log-maxbackup)', 'audit-log-maxbackup', atLeast(10), '--audit-log-maxbackup of 10 or more', `${APISERVER_MANIFEST} and set \`--audit-log-maxbackup=10\` or more.`, 'low'),
  apiFlag('1.2.19', 'Audit logs rotate at 100 MB or more (--audit-log-maxsize)', 'audit-log-maxsize', atLeast(100), '--audit-log-maxsize of 100 or more', `${APISERVER_MANIFEST} and set \`--audit-log-maxsize=100\` or more.`, 'low'),
  {
    id: '1.2.20',
    section: '1.2',
    title: 'The API server request timeout suits the cluster (--request-timeout)',
    automated: false,
    severity: 'low',
    remediation: `Keep the default (60s) unless large requests time out; then ${APISERVER_MANIFEST.charAt(0).toLowerCase()}${APISERVER_MANIFEST.slice(1)} and raise \`--request-timeout\`.`,
    evaluate: (node) => {
      const component = node.component(API);
      if (component === undefined) return missingComponent(node, API);
      return warn([`manual: ${show(component, component.setting('request-timeout'))}`], { file: component.facts.file });
    },
  },
  apiFlag('1.2.21', 'Service account tokens are checked against etcd (--service-account-lookup)', 'service-account-lookup', isTrue, '--service-account-lookup=true', `${APISERVER_MANIFEST} and remove \`--service-account-lookup=false\` (the default is true).`, 'high'),
  pathFlags('1.2.22', 'The API server has a key to verify service account tokens (--service-account-key-file)', ['service-account-key-file'], `${APISERVER_MANIFEST} and set \`--service-account-key-file\` to the public key matching the controller manager's \`--service-account-private-key-file\`.`),
  pathFlags('1.2.23', 'The API server talks to etcd with a client certificate', ['etcd-certfile', 'etcd-keyfile'], `${APISERVER_MANIFEST} and set \`--etcd-certfile\` and \`--etcd-keyfile\`.`),
  pathFlags('1.2.24', 'The API server serves TLS with its own certificate', ['tls-cert-file', 'tls-private-key-file'], `${APISERVER_MANIFEST} and set \`--tls-cert-file\` and \`--tls-private-key-file\`.`),
  pathFlags('1.2.25', 'The API server verifies client certificates (--client-ca-file)', ['client-ca-file'], `${APISERVER_MANIFEST} and set \`--client-ca-file\`.`),
  pathFlags('1.2.26', "The API server verifies etcd's certificate (--etcd-cafile)", ['etcd-cafile'], `${APISERVER_MANIFEST} and set \`--etcd-cafile\`.`),
  apiFlag('1.2.27', 'Encryption at rest is configured (--encryption-provider-config)', 'encryption-provider-config', isSet, '--encryption-provider-config set', `Write an EncryptionConfiguration, then ${APISERVER_MANIFEST.charAt(0).toLowerCase()}${APISERVER_MANIFEST.slice(1)} and set \`--encryption-provider-config\` to it.`, 'high', false),
  {
    id: '1.2.28',
    section: '1.2',
    title: 'Secrets are encrypted at rest with a strong provider first (not identity)',
    automated: false,
    automatedByRampart: true,
    severity: 'high',
    remediation: 'In the EncryptionConfiguration, list kms (v2), aescbc or secretbox first for secrets, keep identity only last for reading old data, then rewrite existing Secrets (`kubectl get secrets -A -o json | kubectl replace -f -`).',
    evaluate: encryptionProviders,
  },
  apiFlag('1.2.29', 'The API server only offers strong TLS cipher suites', 'tls-cipher-suites', (value) => strongCiphers(value), '--tls-cipher-suites limited to AEAD suites (AES-GCM, ChaCha20-Poly1305) with ECDHE', `${APISERVER_MANIFEST} and set \`--tls-cipher-suites\` to AES-GCM and ChaCha20-Poly1305 ECDHE suites only. Without the flag Go's defaults include CBC suites.`, 'medium', false),
  apiFlag('1.2.30', 'Service account tokens are not silently extended (--service-account-extend-token-expiration=false)', 'service-account-extend-token-expiration', isFalse, '--service-account-extend-token-expiration=false', `${APISERVER_MANIFEST} and set \`--service-account-extend-token-expiration=false\`.`, 'medium'),
];

const CM = 'kube-controller-manager';
const CM_MANIFEST = 'Edit the controller manager manifest (/etc/kubernetes/manifests/kube-controller-manager.yaml)';

export const isLoopback = (value: string | undefined): boolean => {
  const host = value === undefined ? '' : value.replace(/^\[(.*)\](:\d+)?$/, '$1').replace(/^([^:]*):\d+$/, '$1');
  return host === '127.0.0.1' || host === '::1' || host === 'localhost';
};

function cmFlag(id: string, title: string, setting: string, judge: (value: string | undefined) => boolean, expectation: string, remediation: string, severity: Control['severity'] = 'medium', automated = true): Control {
  return { id, section: '1.3', title, automated, ...(automated ? {} : { automatedByRampart: true }), severity, remediation, evaluate: (node) => judgeSetting(node, CM, setting, judge, expectation) };
}

const CONTROLLER_MANAGER: Control[] = [
  {
    id: '1.3.1',
    section: '1.3',
    title: 'Terminated pods are garbage-collected early (--terminated-pod-gc-threshold set)',
    automated: false,
    automatedByRampart: true,
    severity: 'low',
    remediation: `${CM_MANIFEST} and set \`--terminated-pod-gc-threshold\` to a value that suits the cluster (e.g. 10); the default keeps 12500 terminated pods.`,
    evaluate: (node) => judgeSetting(node, CM, 'terminated-pod-gc-threshold', (_value, setting) => setting.source === 'flag', '--terminated-pod-gc-threshold set explicitly'),
  },
  cmFlag('1.3.2', 'Controller manager profiling is off (--profiling=false)', 'profiling', isFalse, '--profiling=false', `${CM_MANIFEST} and set \`--profiling=false\`.`, 'low'),
  cmFlag('1.3.3', 'Each controller uses its own service account (--use-service-account-credentials)', 'use-service-account-credentials', isTrue, '--use-service-account-credentials=true', `${CM_MANIFEST} and set \`--use-service-account-credentials=true\`.`),
  cmFlag('1.3.4', 'The controller manager signs service account tokens with a key (--service-account-private-key-file)', 'service-account-private-key-file', isSet, '--service-account-private-key-file set', `${CM_MANIFEST} and set \`--service-account-private-key-file\`.`, 'high'),
  cmFlag('1.3.5', 'Service accounts get the cluster CA (--root-ca-file)', 'root-ca-file', isSet, '--root-ca-file set', `${CM_MANIFEST} and set \`--root-ca-file\` to the cluster CA certificate.`),
  cmFlag('1.3.6', 'Kubelet serving-certificate rotation is not disabled (RotateKubeletServerCertificate)', 'feature-gates', (value) => !listOf(value).some((gate) => { const [name, setting] = gate.split('='); return name?.trim() === 'RotateKubeletServerCertificate' && isFalse(setting); }), 'RotateKubeletServerCertificate not set to false in --feature-gates', `${CM_MANIFEST} and remove RotateKubeletServerCertificate=false from \`--feature-gates\`.`),
  cmFlag('1.3.7', 'The controller manager listens on loopback only (--bind-address)', 'bind-address', isLoopback, '--bind-address=127.0.0.1', `${CM_MANIFEST} and set \`--bind-address=127.0.0.1\`.`),
];

const SCHEDULER: Control[] = [
  { id: '1.4.1', section: '1.4', title: 'Scheduler profiling is off (--profiling=false)', automated: true, severity: 'low', remediation: 'Edit /etc/kubernetes/manifests/kube-scheduler.yaml and set `--profiling=false`.', evaluate: (node) => judgeSetting(node, 'kube-scheduler', 'profiling', isFalse, '--profiling=false') },
  { id: '1.4.2', section: '1.4', title: 'The scheduler listens on loopback only (--bind-address)', automated: true, severity: 'medium', remediation: 'Edit /etc/kubernetes/manifests/kube-scheduler.yaml and set `--bind-address=127.0.0.1`.', evaluate: (node) => judgeSetting(node, 'kube-scheduler', 'bind-address', isLoopback, '--bind-address=127.0.0.1') },
];

export const MASTER_CONTROLS: readonly Control[] = [...MASTER_FILES, ...API_SERVER, ...CONTROLLER_MANAGER, ...SCHEDULER];
