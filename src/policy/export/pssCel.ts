/**
 * The Pod Security Standards written in CEL, one translation per PSA check
 * implementation in src/checks/pss (same IDs, same policy versions), so a
 * ValidatingAdmissionPolicy can enforce exactly what `rampart pss` judges.
 *
 * The CEL is written for Kubernetes' runtime view of admission objects
 * (unstructured maps: an absent field must be guarded with `has()`), and
 * uses only the standard library and the strings extension's `join`, which
 * every Kubernetes version with admissionregistration.k8s.io/v1 has. No
 * optional syntax, so it compiles from 1.30 on.
 *
 * Each check is true for an allowed pod; its message names the pod,
 * containers, volumes or annotations at fault and the field, like
 * Rampart's findings.
 */
import { BASELINE_ADDABLE_CAPABILITIES } from '../../checks/pss/capabilitiesBaseline.js';
import { RESTRICTED_VOLUME_TYPES } from '../../checks/pss/restrictedVolumes.js';
import { ALLOWED_SECCOMP_TYPES } from '../../checks/pss/seccompProfileBaseline.js';
import { SAFE_SYSCTL_ADDITIONS } from '../../checks/pss/sysctls.js';
import type { PolicyVersion } from '../../checks/pss/types.js';

/** One check as CEL: `expression` is true when the pod is allowed; `messageExpression` says why not. */
export interface CheckCel {
  readonly expression: string;
  readonly messageExpression: string;
}

/**
 * Variables the checks read, declared after `podSpec` and `podMetadata`
 * (the pod's spec and metadata: `object.spec` for a Pod, the pod template's
 * for a workload).
 */
export const POD_VARIABLES: ReadonlyArray<{ readonly name: string; readonly expression: string }> = [
  {
    name: 'containers',
    expression:
      '(has(variables.podSpec.initContainers) ? variables.podSpec.initContainers : []) + (has(variables.podSpec.containers) ? variables.podSpec.containers : []) + (has(variables.podSpec.ephemeralContainers) ? variables.podSpec.ephemeralContainers : [])',
  },
  { name: 'windows', expression: "has(variables.podSpec.os) && has(variables.podSpec.os.name) && variables.podSpec.os.name == 'windows'" },
  { name: 'userNamespace', expression: 'has(variables.podSpec.hostUsers) && variables.podSpec.hostUsers == false' },
];

/** A CEL string literal; single quotes when the text allows it, for readable YAML. */
export function lit(text: string): string {
  return /^[^'\\\n\r]*$/.test(text) ? `'${text}'` : JSON.stringify(text);
}

type Token = { readonly literal: string } | { readonly code: string };

function tokens(source: string): Token[] {
  const out: Token[] = [];
  let code = '';
  for (let index = 0; index < source.length; ) {
    const quote = source[index];
    if (quote !== "'" && quote !== '"') {
      code += quote;
      index++;
      continue;
    }
    let end = index + 1;
    while (end < source.length && source[end] !== quote) end += source[end] === '\\' ? 2 : 1;
    const text = source.slice(index, end + 1);
    if (code !== '') out.push({ code });
    code = '';
    out.push({ literal: quote === '"' ? (JSON.parse(text) as string) : text.slice(1, -1) });
    index = end + 1;
  }
  if (code !== '') out.push({ code });
  return out;
}

/**
 * Joins adjacent string literals (`'container ' + '"' + c.name` → `'container "' + c.name`)
 * so the exported YAML reads well. Only `lit + lit` where nothing binds tighter to either
 * side (no `.method` or `[index]` after the second) is folded; `+` on strings is associative.
 */
export function foldLiterals(source: string): string {
  const parts = tokens(source);
  const out: Token[] = [];
  for (let index = 0; index < parts.length; index++) {
    const part = parts[index] as Token;
    const previous = out[out.length - 1];
    const before = out[out.length - 2];
    const after = parts[index + 1];
    if ('literal' in part && previous !== undefined && 'code' in previous && previous.code === ' + ' && before !== undefined && 'literal' in before && !(after !== undefined && 'code' in after && /^[.[]/.test(after.code))) {
      out.splice(out.length - 2, 2, { literal: before.literal + part.literal });
      continue;
    }
    out.push(part);
  }
  return out.map((part) => ('literal' in part ? lit(part.literal) : part.code)).join('');
}

function list(values: Iterable<string>): string {
  return `[${[...values].map(lit).join(', ')}]`;
}

/** `has(a.b) && has(a.b.c)` for the field chain under `base`. */
export function present(base: string, ...fields: string[]): string {
  const guards: string[] = [];
  let path = base;
  for (const field of fields) {
    path = `${path}.${field}`;
    guards.push(`has(${path})`);
  }
  return guards.join(' && ');
}

export function at(base: string, ...fields: string[]): string {
  return [base, ...fields].join('.');
}

export const POD_CONTEXT = 'variables.podSpec';
const ANNOTATIONS = 'variables.podMetadata.annotations';
const HAS_ANNOTATIONS = `has(${ANNOTATIONS})`;

/**
 * One offending part of a check: `when` is true if it offends; `messages`
 * (a CEL list of strings) describes it, empty when it does not offend.
 */
export interface Part {
  readonly when: string;
  readonly messages: string;
}

/**
 * A check from its parts: allowed unless a part offends (or the exemption holds); the message lists every offending part.
 * `offendsInOnePass`, when given, decides instead of the parts' conditions, in one pass over the containers.
 */
export function check(parts: readonly Part[], exemption?: string, offendsInOnePass?: string): CheckCel {
  const offends = offendsInOnePass ?? parts.map((part) => `(${part.when})`).join(' || ');
  const expression = exemption === undefined ? `!(${offends})` : `${exemption} || !(${offends})`;
  const messages = parts.map((part) => part.messages).join(' + ');
  return { expression, messageExpression: parts.length === 1 ? `${messages}.join('; ')` : `(${messages}).join('; ')` };
}

export function guarded(when: string, message: string): Part {
  return { when, messages: `(${when} ? [${message}] : [])` };
}

export function quoted(expression: string): string {
  return `'"' + ${expression} + '"'`;
}

/**
 * Containers that offend, named together: `containers "a", "b" must …`. The
 * message filters the containers once: the list of names is wrapped in a
 * one-element list and mapped (CEL's way to bind a value to a name without
 * the bindings extension), so singular/plural and the names share one pass.
 */
function containersPart(offends: string, predicate: string): Part {
  const names = `variables.containers.filter(c, ${offends}).map(c, ${quoted('c.name')})`;
  return {
    when: `variables.containers.exists(c, ${offends})`,
    messages: `[${names}].filter(names, size(names) > 0).map(names, (size(names) == 1 ? 'container ' : 'containers ') + names.join(', ') + ${lit(` ${predicate}`)})`,
  };
}

/** Containers that offend, each with its own detail: `container "a" must not add "X"; container "b" …`. */
export function eachContainerPart(offends: string, detail: string, containers = 'variables.containers'): Part {
  return {
    when: `${containers}.exists(c, ${offends})`,
    messages: `${containers}.filter(c, ${offends}).map(c, 'container ' + ${quoted('c.name')} + ' ' + ${detail})`,
  };
}

function podPart(offends: string, message: string): Part {
  return guarded(offends, message);
}

const CONTEXT = (base: string): string => `${base}.securityContext`;
const CONTAINER_CONTEXT = CONTEXT('c');

/** `securityContext.<key>` of `base` is set and its type (or '' when missing) is not RuntimeDefault or Localhost (the allowed types of seccomp and AppArmor alike). */
function badProfile(base: string, key: 'seccompProfile' | 'appArmorProfile'): string {
  const profile = at(CONTEXT(base), key);
  return `${present(base, 'securityContext', key)} && (!has(${profile}.type) || !(${profile}.type in ${list(ALLOWED_SECCOMP_TYPES)}))`;
}

function profileType(base: string, key: 'seccompProfile' | 'appArmorProfile'): string {
  const profile = at(CONTEXT(base), key);
  return `(has(${profile}.type) ? ${profile}.type : '')`;
}

function profileParts(key: 'seccompProfile' | 'appArmorProfile'): Part[] {
  return [
    podPart(badProfile(POD_CONTEXT, key), `'pod must not set securityContext.${key}.type=' + ${quoted(profileType(POD_CONTEXT, key))}`),
    eachContainerPart(badProfile('c', key), `'must not set securityContext.${key}.type=' + ${quoted(profileType('c', key))}`),
  ];
}

export function settingIs(base: string, fields: readonly string[], value: string): string {
  return `${present(base, ...fields)} && ${at(base, ...fields)} == ${value}`;
}

const hostNamespaces = (): CheckCel => {
  const fields = ['hostNetwork', 'hostPID', 'hostIPC'];
  const offends = fields.map((field) => `(${settingIs(POD_CONTEXT, [field], 'true')})`);
  return {
    expression: `!(${offends.join(' || ')})`,
    messageExpression: `'pod must not set ' + (${fields.map((field, index) => `(${offends[index]} ? ['${field}=true'] : [])`).join(' + ')}).join(', ')`,
  };
};

const privileged = (): CheckCel => check([containersPart(settingIs('c', ['securityContext', 'privileged'], 'true'), 'must not set securityContext.privileged=true')]);

const ADD = at(CONTAINER_CONTEXT, 'capabilities', 'add');
const HAS_ADD = present('c', 'securityContext', 'capabilities', 'add');

const capabilitiesBaseline = (): CheckCel => {
  const forbidden = `!(a in ${list(BASELINE_ADDABLE_CAPABILITIES)})`;
  return check([
    eachContainerPart(`${HAS_ADD} && ${ADD}.exists(a, ${forbidden})`, `'must not add ' + ${ADD}.filter(a, ${forbidden}).map(a, ${quoted('a')}).join(', ') + ' to securityContext.capabilities.add'`),
  ]);
};

export const VOLUMES = `${POD_CONTEXT}.volumes`;

export function volumesPart(offends: string, detail: string): Part {
  return {
    when: `has(${VOLUMES}) && ${VOLUMES}.exists(v, ${offends})`,
    messages: `(has(${VOLUMES}) ? ${VOLUMES}.filter(v, ${offends}).map(v, 'volume ' + ${quoted('v.name')} + ' ' + ${detail}) : [])`,
  };
}

const hostPathVolumes = (): CheckCel => check([volumesPart('has(v.hostPath)', "'must not use hostPath'")]);

const hostPorts = (): CheckCel => {
  const bound = 'has(p.hostPort) && p.hostPort != 0';
  return check([eachContainerPart(`has(c.ports) && c.ports.exists(p, ${bound})`, `'must not set hostPort ' + c.ports.filter(p, ${bound}).map(p, string(p.hostPort)).join(', ')`)]);
};

const hostProbesAndHostLifecycle = (): CheckCel => {
  const handlers: string[][] = [];
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) for (const kind of ['httpGet', 'tcpSocket']) handlers.push([probe, kind, 'host']);
  for (const hook of ['postStart', 'preStop']) for (const kind of ['httpGet', 'tcpSocket']) handlers.push(['lifecycle', hook, kind, 'host']);
  const sets = handlers.map((fields) => `(${present('c', ...fields)} && ${at('c', ...fields)} != '')`);
  const detail = handlers.map((fields, index) => `(${sets[index]} ? [${lit(`${fields.join('.')}=`)} + ${quoted(at('c', ...fields))}] : [])`).join(' + ');
  return check([eachContainerPart(sets.join(' || '), `'must not set ' + (${detail}).join(', ')`)]);
};

const APPARMOR_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

const appArmorProfile = (): CheckCel => {
  const badAnnotation = `k.startsWith(${lit(APPARMOR_PREFIX)}) && !(${ANNOTATIONS}[k] == '' || ${ANNOTATIONS}[k] == 'runtime/default' || ${ANNOTATIONS}[k].startsWith('localhost/'))`;
  return check([
    ...profileParts('appArmorProfile'),
    {
      when: `${HAS_ANNOTATIONS} && ${ANNOTATIONS}.exists(k, ${badAnnotation})`,
      messages: `(${HAS_ANNOTATIONS} ? ${ANNOTATIONS}.filter(k, ${badAnnotation}).map(k, 'annotation ' + ${quoted('k')} + ' must not be ' + ${quoted(`${ANNOTATIONS}[k]`)}) : [])`,
    },
  ]);
};

function seLinuxOptions(types: readonly string[]): () => CheckCel {
  return () => {
    const problems = (base: string): { offends: string; detail: string } => {
      const options = at(CONTEXT(base), 'seLinuxOptions');
      const badType = `has(${options}.type) && !(${options}.type in ${list(types)})`;
      const badUser = `has(${options}.user) && ${options}.user != ''`;
      const badRole = `has(${options}.role) && ${options}.role != ''`;
      return {
        offends: `${present(base, 'securityContext', 'seLinuxOptions')} && (${badType} || ${badUser} || ${badRole})`,
        detail: `'must not set securityContext.seLinuxOptions ' + ((${badType} ? ['type=' + ${quoted(`${options}.type`)}] : []) + (${badUser} ? ['user'] : []) + (${badRole} ? ['role'] : [])).join(', ')`,
      };
    };
    const pod = problems(POD_CONTEXT);
    const container = problems('c');
    return check([podPart(pod.offends, `'pod ' + ${pod.detail}`), eachContainerPart(container.offends, container.detail)]);
  };
}

const unmaskedProcMount = `${present('c', 'securityContext', 'procMount')} && ${at(CONTAINER_CONTEXT, 'procMount')} != 'Default'`;

function procMount(exemptInUserNamespace: boolean): () => CheckCel {
  return () => check([eachContainerPart(unmaskedProcMount, `'must not set securityContext.procMount=' + ${quoted(at(CONTAINER_CONTEXT, 'procMount'))}`)], exemptInUserNamespace ? 'variables.userNamespace' : undefined);
}

const SECCOMP_POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
const SECCOMP_CONTAINER_PREFIX = 'container.seccomp.security.alpha.kubernetes.io/';

const seccompAnnotations = (): CheckCel => {
  const allowed = (value: string): string => `(${value} == 'runtime/default' || ${value} == 'docker/default' || ${value}.startsWith('localhost/'))`;
  const podValue = `${ANNOTATIONS}[${lit(SECCOMP_POD_ANNOTATION)}]`;
  const key = `${lit(SECCOMP_CONTAINER_PREFIX)} + c.name`;
  const containerValue = `${ANNOTATIONS}[${key}]`;
  const containerOffends = `${HAS_ANNOTATIONS} && (${key}) in ${ANNOTATIONS} && !${allowed(containerValue)}`;
  return check([
    podPart(`${HAS_ANNOTATIONS} && ${lit(SECCOMP_POD_ANNOTATION)} in ${ANNOTATIONS} && !${allowed(podValue)}`, `'annotation ' + ${quoted(lit(SECCOMP_POD_ANNOTATION))} + ' must not be ' + ${quoted(podValue)}`),
    {
      when: `variables.containers.exists(c, ${containerOffends})`,
      messages: `variables.containers.filter(c, ${containerOffends}).map(c, 'annotation ' + ${quoted(key)} + ' must not be ' + ${quoted(containerValue)})`,
    },
  ]);
};

const seccompProfiles = (): CheckCel => check(profileParts('seccompProfile'));

function sysctls(allowed: readonly string[]): () => CheckCel {
  return () => {
    const sysctlList = `${POD_CONTEXT}.securityContext.sysctls`;
    const forbidden = `has(s.name) && !(s.name in ${list(allowed)})`;
    const names = `${sysctlList}.filter(s, ${forbidden}).map(s, ${quoted('s.name')})`;
    return check([
      guarded(`${present(POD_CONTEXT, 'securityContext', 'sysctls')} && ${sysctlList}.exists(s, ${forbidden})`, `(size(${names}) == 1 ? 'pod must not set sysctl ' : 'pod must not set sysctls ') + ${names}.join(', ')`),
    ]);
  };
}

const windowsHostProcess = (): CheckCel => {
  const fields = ['securityContext', 'windowsOptions', 'hostProcess'];
  const predicate = 'must not set securityContext.windowsOptions.hostProcess=true';
  return check([podPart(settingIs(POD_CONTEXT, fields, 'true'), lit(`pod ${predicate}`)), containersPart(settingIs('c', fields, 'true'), predicate)]);
};

/** Every volume source of the Pod API; the API server drops other keys, so they are not sources. */
const VOLUME_SOURCES: readonly string[] = [
  ...RESTRICTED_VOLUME_TYPES,
  'hostPath', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'nfs', 'iscsi', 'glusterfs', 'rbd', 'flexVolume', 'cinder',
  'cephfs', 'flocker', 'fc', 'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'portworxVolume', 'scaleIO', 'storageos',
];

const restrictedVolumes = (): CheckCel => {
  const forbiddenTypes = list(VOLUME_SOURCES.filter((source) => !RESTRICTED_VOLUME_TYPES.includes(source)));
  // A volume with an allowed source is allowed; one without any source is defaulted to emptyDir by the API server.
  const offends = `v.exists(k, k in ${forbiddenTypes}) && !v.exists(k, k in ${list(RESTRICTED_VOLUME_TYPES)})`;
  return check([volumesPart(offends, `'must not use volume type ' + ${quoted(`v.filter(k, k in ${forbiddenTypes})[0]`)}`)]);
};

function windowsExempt(exempt: boolean): string | undefined {
  return exempt ? 'variables.windows' : undefined;
}

function allowPrivilegeEscalation(exemptWindows: boolean): () => CheckCel {
  return () => check([containersPart(`!(${settingIs('c', ['securityContext', 'allowPrivilegeEscalation'], 'false')})`, 'must set securityContext.allowPrivilegeEscalation=false')], windowsExempt(exemptWindows));
}

function runAsNonRoot(exemptInUserNamespace: boolean): () => CheckCel {
  return () => {
    const fields = ['securityContext', 'runAsNonRoot'];
    const podTrue = settingIs(POD_CONTEXT, fields, 'true');
    return check(
      [
        podPart(settingIs(POD_CONTEXT, fields, 'false'), "'pod must not set securityContext.runAsNonRoot=false'"),
        containersPart(settingIs('c', fields, 'false'), 'must not set securityContext.runAsNonRoot=false'),
        containersPart(`!(${present('c', ...fields)}) && !(${podTrue})`, 'must set securityContext.runAsNonRoot=true (or inherit it from the pod)'),
      ],
      exemptInUserNamespace ? 'variables.userNamespace' : undefined,
      `(${settingIs(POD_CONTEXT, fields, 'false')}) || variables.containers.exists(c, ${present('c', ...fields)} ? ${at('c', ...fields)} == false : !(${podTrue}))`,
    );
  };
}

function runAsUser(exemptInUserNamespace: boolean): () => CheckCel {
  return () => {
    const fields = ['securityContext', 'runAsUser'];
    const predicate = 'must not set securityContext.runAsUser=0';
    return check([podPart(settingIs(POD_CONTEXT, fields, '0'), lit(`pod ${predicate}`)), containersPart(settingIs('c', fields, '0'), predicate)], exemptInUserNamespace ? 'variables.userNamespace' : undefined);
  };
}

function seccompProfileRestricted(exemptWindows: boolean): () => CheckCel {
  return () => {
    const podProtects = `${present(POD_CONTEXT, 'securityContext', 'seccompProfile', 'type')} && ${at(POD_CONTEXT, 'securityContext', 'seccompProfile', 'type')} in ${list(ALLOWED_SECCOMP_TYPES)}`;
    return check(
      [
        ...profileParts('seccompProfile'),
        containersPart(`!(${present('c', 'securityContext', 'seccompProfile')}) && !(${podProtects})`, 'must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost" (or inherit it from the pod)'),
      ],
      windowsExempt(exemptWindows),
      `(${badProfile(POD_CONTEXT, 'seccompProfile')}) || variables.containers.exists(c, ${present('c', 'securityContext', 'seccompProfile')} ? !(has(c.securityContext.seccompProfile.type) && c.securityContext.seccompProfile.type in ${list(ALLOWED_SECCOMP_TYPES)}) : !(${podProtects}))`,
    );
  };
}

function capabilitiesRestricted(exemptWindows: boolean): () => CheckCel {
  return () => {
    const drop = at(CONTAINER_CONTEXT, 'capabilities', 'drop');
    const dropsAll = `${present('c', 'securityContext', 'capabilities', 'drop')} && 'ALL' in ${drop}`;
    const forbidden = "a != 'NET_BIND_SERVICE'";
    return check(
      [
        containersPart(`!(${dropsAll})`, 'must set securityContext.capabilities.drop=["ALL"]'),
        eachContainerPart(
          `${HAS_ADD} && ${ADD}.exists(a, ${forbidden})`,
          `'must not add ' + ${ADD}.filter(a, ${forbidden}).map(a, ${quoted('a')}).join(', ') + ' to securityContext.capabilities.add (only "NET_BIND_SERVICE" may be added)'`,
        ),
      ],
      windowsExempt(exemptWindows),
      `variables.containers.exists(c, !(${present('c', 'securityContext', 'capabilities')}) || !(has(${drop}) && 'ALL' in ${drop}) || (has(${ADD}) && ${ADD}.exists(a, ${forbidden})))`,
    );
  };
}

function sysctlTranslations(): Record<PolicyVersion, () => CheckCel> {
  const allowed: string[] = [];
  const out: Record<PolicyVersion, () => CheckCel> = {};
  for (const [version, additions] of SAFE_SYSCTL_ADDITIONS) {
    allowed.push(...additions);
    out[version] = sysctls([...allowed]);
  }
  return out;
}

const SELINUX_TYPES_V1_0 = ['', 'container_t', 'container_init_t', 'container_kvm_t'];

/**
 * PSA check ID → policy version of each implementation → its CEL. The
 * versions are exactly those of the registry (a test holds them equal), so a
 * new implementation in src/checks/pss without a translation fails the tests.
 */
export const PSS_CEL: Readonly<Record<string, Readonly<Record<PolicyVersion, () => CheckCel>>>> = {
  hostNamespaces: { 'v1.0': hostNamespaces },
  privileged: { 'v1.0': privileged },
  capabilities_baseline: { 'v1.0': capabilitiesBaseline },
  hostPathVolumes: { 'v1.0': hostPathVolumes },
  hostPorts: { 'v1.0': hostPorts },
  hostProbesAndHostLifecycle: { 'v1.34': hostProbesAndHostLifecycle },
  appArmorProfile: { 'v1.0': appArmorProfile },
  seLinuxOptions: { 'v1.0': seLinuxOptions(SELINUX_TYPES_V1_0), 'v1.31': seLinuxOptions([...SELINUX_TYPES_V1_0, 'container_engine_t']) },
  procMount: { 'v1.0': procMount(false), 'v1.35': procMount(true) },
  seccompProfile_baseline: { 'v1.0': seccompAnnotations, 'v1.19': seccompProfiles },
  sysctls: sysctlTranslations(),
  windowsHostProcess: { 'v1.0': windowsHostProcess },
  restrictedVolumes: { 'v1.0': restrictedVolumes },
  allowPrivilegeEscalation: { 'v1.8': allowPrivilegeEscalation(false), 'v1.25': allowPrivilegeEscalation(true) },
  runAsNonRoot: { 'v1.0': runAsNonRoot(false), 'v1.35': runAsNonRoot(true) },
  runAsUser: { 'v1.23': runAsUser(false), 'v1.35': runAsUser(true) },
  seccompProfile_restricted: { 'v1.19': seccompProfileRestricted(false), 'v1.25': seccompProfileRestricted(true) },
  capabilities_restricted: { 'v1.22': capabilitiesRestricted(false), 'v1.25': capabilitiesRestricted(true) },
  procMount_restricted: { 'v1.35': procMount(false) },
};
