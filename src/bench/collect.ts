/**
 * Collection: the only part of the benchmark that touches the node. It finds
 * the components (static pod manifests, /proc/<pid>/cmdline, the kubelet's
 * systemd unit), follows the flags and config files to the files they name,
 * and records permissions, ownership and the text of configuration files.
 * Everything else works on the resulting snapshot.
 */
import { lstatSync, readdirSync, readFileSync, readlinkSync, statSync, type Stats } from 'node:fs';
import { basename, join, posix } from 'node:path';
import { readBinaryVersion } from './binaryVersion.js';
import { lastFlag, parseFlags, splitCommandLine, type ArgumentWithLine } from './flags.js';
import { SNAPSHOT_FORMAT, type BinaryFacts, type ComponentFacts, type ComponentName, type FileFacts, type NodeSnapshot, type RawFlag } from './model.js';
import { unitCommand, type UnitFile } from './systemd.js';
import { isRecord, parseYamlText } from './yamlText.js';

export const MANIFESTS_DIRECTORY = '/etc/kubernetes/manifests';
const MAX_CONFIG_BYTES = 1024 * 1024;
const MAX_PROCESSES = 100_000;
const MAX_LINK_HOPS = 16;

/** Files the benchmark looks at whatever the flags say (kubeadm's layout). */
export const WELL_KNOWN_FILES = [
  '/etc/kubernetes/admin.conf',
  '/etc/kubernetes/super-admin.conf',
  '/etc/kubernetes/scheduler.conf',
  '/etc/kubernetes/controller-manager.conf',
  '/etc/kubernetes/kubelet.conf',
  '/etc/kubernetes/pki',
  '/etc/kubernetes/pki/etcd',
  '/var/lib/etcd',
  '/var/lib/kubelet/config.yaml',
] as const;

export const KUBELET_UNIT_FILES = ['/etc/systemd/system/kubelet.service', '/usr/lib/systemd/system/kubelet.service', '/lib/systemd/system/kubelet.service'] as const;
export const KUBELET_DROP_IN_DIRECTORIES = ['/usr/lib/systemd/system/kubelet.service.d', '/lib/systemd/system/kubelet.service.d', '/etc/systemd/system/kubelet.service.d'] as const;

const COMPONENT_BY_PROGRAM: Record<string, ComponentName> = {
  'kube-apiserver': 'kube-apiserver',
  'kube-controller-manager': 'kube-controller-manager',
  'kube-scheduler': 'kube-scheduler',
  etcd: 'etcd',
  kubelet: 'kubelet',
  'kube-proxy': 'kube-proxy',
};

export interface CollectOptions {
  readonly root: string;
  readonly rampartVersion: string;
  /** Files given on the command line (paths as given, not under the root): CoreDNS Corefiles, coredns and kube-proxy ConfigMaps. */
  readonly extraFiles?: readonly string[];
  /** Collection time to record (tests); now by default. */
  readonly now?: Date;
}

class Collector {
  readonly files: Record<string, FileFacts> = {};
  readonly problems: string[] = [];
  readonly unreadable: { name: ComponentName; file: string; reason: string }[] = [];
  constructor(private readonly root: string) {}

  hostPath(path: string): string {
    return join(this.root, path);
  }

  /** Records a file's facts; its text too when `withContent` (configuration files only, never keys). */
  file(path: string, withContent = false, redact?: (text: string) => string): FileFacts {
    const normalised = posix.normalize(path);
    const existing = this.files[normalised];
    if (existing !== undefined && (!withContent || existing.content !== undefined || !existing.exists || existing.type === 'directory')) return existing;
    const facts = this.readFacts(normalised, withContent, redact);
    this.files[normalised] = facts;
    return facts;
  }

  private readFacts(path: string, withContent: boolean, redact?: (text: string) => string): FileFacts {
    const host = this.hostPath(path);
    let stats: Stats;
    try {
      stats = lstatSync(host);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return { path, exists: false };
      return { path, exists: false, error: `cannot read ${path}: ${code ?? String(error)}` };
    }
    let type: FileFacts['type'] = stats.isFile() ? 'file' : stats.isDirectory() ? 'directory' : stats.isSymbolicLink() ? 'symlink' : 'other';
    let target = stats;
    let contentHost = host;
    if (stats.isSymbolicLink()) {
      // Permissions of a link are meaningless; judge what it points to, resolved inside the root.
      try {
        const link = readlinkSync(host);
        contentHost = link.startsWith('/') ? this.hostPath(link) : join(host, '..', link);
        target = statSync(contentHost);
      } catch (error) {
        return { path, exists: true, type, error: `symbolic link ${path} points to nothing readable (${(error as NodeJS.ErrnoException).code ?? String(error)})` };
      }
    }
    const facts: { -readonly [K in keyof FileFacts]: FileFacts[K] } = { path, exists: true, type, mode: target.mode & 0o7777, uid: target.uid, gid: target.gid, modified: target.mtime.toISOString() };
    if (target.isDirectory()) {
      if (type !== 'symlink') type = 'directory';
      facts.type = type;
      try {
        facts.entries = readdirSync(contentHost).sort();
      } catch (error) {
        facts.error = `cannot list ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`;
      }
    } else if (withContent) {
      if (target.size > MAX_CONFIG_BYTES) facts.error = `${path} is larger than ${MAX_CONFIG_BYTES} bytes; not read`;
      else {
        try {
          const text = readFileSync(contentHost, 'utf8');
          facts.content = redact === undefined ? text : redact(text);
        } catch (error) {
          facts.error = `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`;
        }
      }
    }
    return facts;
  }

  /** A file named on the command line, read as given rather than under the root. */
  outsideRoot(path: string): void {
    try {
      const content = readFileSync(path, 'utf8');
      const key = /\.(ya?ml|json)$/.test(path) || path.endsWith('Corefile') ? path : `${path}.Corefile`;
      this.files[key] = { path: key, exists: true, type: 'file', content };
    } catch (error) {
      this.problems.push(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
  }

  /**
   * The Kubernetes version of an executable under the root. Symbolic links are
   * followed inside the root; only a regular file is read, in bounded chunks.
   */
  binary(path: string): BinaryFacts {
    let current = posix.normalize(path);
    for (let hops = 0; hops < MAX_LINK_HOPS; hops++) {
      let stats: Stats;
      try {
        stats = lstatSync(this.hostPath(current));
      } catch (error) {
        return { path, problem: `${current === path ? 'not' : `${current} is not`} visible under the root (${(error as NodeJS.ErrnoException).code ?? String(error)})` };
      }
      if (stats.isSymbolicLink()) {
        let link: string;
        try {
          link = readlinkSync(this.hostPath(current));
        } catch (error) {
          return { path, problem: `cannot read the link ${current} (${(error as NodeJS.ErrnoException).code ?? String(error)})` };
        }
        current = link.startsWith('/') ? posix.normalize(link) : posix.join(posix.dirname(current), link);
        continue;
      }
      if (!stats.isFile()) return { path, problem: `${current} is not a regular file` };
      const read = readBinaryVersion(this.hostPath(current));
      const shown = current === path ? path : `${path} → ${current}`;
      return read.found ? { path: shown, version: read.version, marker: read.marker } : { path: shown, problem: read.reason };
    }
    return { path, problem: `${path}: too many symbolic links` };
  }

  text(path: string): string | undefined {
    const facts = this.file(path, true);
    return facts.content;
  }
}

/** Secrets of an encryption configuration never leave the node: the values are replaced, the lines kept. */
export function redactSecrets(text: string): string {
  return text.replace(/^(\s*(?:-\s*)?secret\s*:\s*).*$/gm, '$1"<redacted>"');
}

export function collectNode(options: CollectOptions): NodeSnapshot {
  const collector = new Collector(options.root);
  const components: ComponentFacts[] = [];
  const fromManifests = collectStaticPods(collector);
  const fromProcesses = collectProcesses(collector);
  for (const name of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'etcd', 'kube-proxy'] as const) {
    const manifest = fromManifests.find((component) => component.name === name);
    const process = fromProcesses.find((component) => component.name === name);
    if (manifest !== undefined && process !== undefined && !sameFlags(manifest.flags, process.flags)) {
      // The running process is the truth; the manifest may have been edited since it started.
      components.push({ ...process, problems: [...process.problems, `the running process's flags differ from ${manifest.file}; judging the running process`] });
    } else if (manifest !== undefined) components.push(manifest);
    else if (process !== undefined) components.push(process);
  }
  // etcd with --config-file ignores its flags; Rampart does not read that file, so etcd is not judged rather than judged wrongly.
  const etcdIndex = components.findIndex((component) => component.name === 'etcd' && component.flags.some((flag) => flag.name === 'config-file'));
  if (etcdIndex >= 0) {
    const etcd = components.splice(etcdIndex, 1)[0]!;
    collector.unreadable.push({ name: 'etcd', file: etcd.file, reason: `etcd reads --config-file (${etcd.file}) and then ignores its flags; Rampart does not read etcd config files` });
  }
  const kubeletProcess = fromProcesses.find((component) => component.name === 'kubelet');
  const kubeletUnit = collectKubeletUnit(collector);
  if (kubeletProcess !== undefined) components.push(kubeletProcess);
  else if (kubeletUnit !== undefined) components.push(kubeletUnit);

  for (const path of WELL_KNOWN_FILES) collector.file(path);
  for (const pki of ['/etc/kubernetes/pki', '/etc/kubernetes/pki/etcd', '/etc/cni/net.d']) {
    const facts = collector.file(pki);
    for (const entry of facts.entries ?? []) collector.file(posix.join(pki, entry));
  }
  for (const component of components) collectReferencedFiles(collector, component);
  collectCoreDns(collector);
  for (const path of options.extraFiles ?? []) collector.outsideRoot(path);

  return {
    format: SNAPSHOT_FORMAT,
    rampartVersion: options.rampartVersion,
    root: options.root,
    collectedAt: (options.now ?? new Date()).toISOString(),
    components,
    files: collector.files,
    users: readIdNames(collector, '/etc/passwd'),
    groups: readIdNames(collector, '/etc/group'),
    problems: collector.problems,
    unreadable: collector.unreadable.filter((entry) => !components.some((component) => component.name === entry.name)),
  };
}

function sameFlags(a: readonly RawFlag[], b: readonly RawFlag[]): boolean {
  const key = (flags: readonly RawFlag[]): string => flags.map((flag) => `${flag.name}=${flag.value}`).sort().join('\n');
  return key(a) === key(b);
}

function componentFromFileName(path: string): ComponentName | undefined {
  return COMPONENT_BY_PROGRAM[basename(path).replace(/\.(ya?ml|json)$/, '')];
}

function collectStaticPods(collector: Collector): ComponentFacts[] {
  const directory = collector.file(MANIFESTS_DIRECTORY);
  if (directory.error !== undefined) collector.problems.push(directory.error);
  const found: ComponentFacts[] = [];
  for (const entry of directory.entries ?? []) {
    if (!/\.(ya?ml|json)$/.test(entry)) continue;
    const path = posix.join(MANIFESTS_DIRECTORY, entry);
    const facts = collector.file(path, true);
    const guessed = componentFromFileName(path);
    if (facts.content === undefined) {
      const reason = facts.error ?? `cannot read ${path}`;
      collector.problems.push(reason);
      if (guessed !== undefined) collector.unreadable.push({ name: guessed, file: path, reason });
      continue;
    }
    const parsed = parseYamlText(facts.content);
    if (!parsed.ok) {
      collector.problems.push(`${path}: malformed YAML: ${parsed.error}`);
      if (guessed !== undefined) collector.unreadable.push({ name: guessed, file: path, reason: `${path} is malformed YAML (${parsed.error})` });
      continue;
    }
    parsed.documents.forEach((document) => {
      const spec = isRecord(document.value) ? document.value.spec : undefined;
      const containers = isRecord(spec) && Array.isArray(spec.containers) ? spec.containers : [];
      containers.forEach((container: unknown, containerIndex: number) => {
        if (!isRecord(container)) return;
        const command = Array.isArray(container.command) ? container.command : [];
        const args = Array.isArray(container.args) ? container.args : [];
        const image = typeof container.image === 'string' ? container.image : undefined;
        const program = typeof command[0] === 'string' ? basename(command[0]) : undefined;
        const name = (program !== undefined ? COMPONENT_BY_PROGRAM[program] : undefined) ?? componentFromImage(image);
        if (name === undefined) return;
        const argumentList: ArgumentWithLine[] = [];
        const base = ['spec', 'containers', containerIndex];
        if ((program === 'sh' || program === 'bash') && command[1] === '-c' && typeof command[2] === 'string') {
          // `sh -c "exec kube-apiserver --flag=…"`: the component's arguments are words of the script.
          const words = splitCommandLine(command[2]);
          const start = words.findIndex((word) => COMPONENT_BY_PROGRAM[basename(word)] === name);
          const line = document.lineOf([...base, 'command', 2]);
          for (const word of words.slice(start + 1)) argumentList.push(lineArgument(word, line));
        } else {
          command.forEach((item: unknown, index: number) => {
            if (index === 0 && program !== undefined && COMPONENT_BY_PROGRAM[program] !== undefined) return;
            argumentList.push(lineArgument(String(item), document.lineOf([...base, 'command', index])));
          });
        }
        args.forEach((item: unknown, index: number) => argumentList.push(lineArgument(String(item), document.lineOf([...base, 'args', index]))));
        const parsedFlags = parseFlags(argumentList, path);
        found.push({ name, origin: 'static-pod', file: path, flags: parsedFlags.flags, problems: parsedFlags.problems, ...(image === undefined ? {} : { image }) });
      });
    });
  }
  return found;
}

function lineArgument(text: string, line: number | undefined): ArgumentWithLine {
  return line === undefined ? { text } : { text, line };
}

function componentFromImage(image: string | undefined): ComponentName | undefined {
  if (image === undefined) return undefined;
  const repository = image.split('@')[0]!.split('/').pop()!.split(':')[0]!;
  return COMPONENT_BY_PROGRAM[repository];
}

function collectProcesses(collector: Collector): ComponentFacts[] {
  let entries: string[];
  try {
    entries = readdirSync(collector.hostPath('/proc'));
  } catch {
    return [];
  }
  const found: ComponentFacts[] = [];
  for (const pid of entries.slice(0, MAX_PROCESSES)) {
    if (!/^\d+$/.test(pid)) continue;
    let raw: string;
    try {
      raw = readFileSync(collector.hostPath(`/proc/${pid}/cmdline`), 'utf8');
    } catch {
      continue;
    }
    const argv = raw.split('\0').filter((part, index, all) => !(part === '' && index === all.length - 1));
    if (argv.length === 0) continue;
    let program = basename(argv[0]!);
    let rest = argv.slice(1);
    if (program === 'hyperkube' && rest[0] !== undefined) {
      program = rest[0];
      rest = rest.slice(1);
    }
    const name = COMPONENT_BY_PROGRAM[program];
    if (name === undefined || found.some((component) => component.name === name)) continue;
    const file = `/proc/${pid}/cmdline`;
    const parsed = parseFlags(rest.map((text) => ({ text })), file);
    if (name === 'etcd') parsed.flags.unshift(...etcdEnvironmentFlags(collector, pid, parsed.flags));
    const binary = argv[0]!.startsWith('/') ? collector.binary(argv[0]!) : undefined;
    found.push({ name, origin: 'process', file, flags: parsed.flags, problems: parsed.problems, ...(binary === undefined ? {} : { binary }) });
  }
  return found;
}

/**
 * etcd also reads every flag from an ETCD_* environment variable (ETCD_CLIENT_CERT_AUTH for
 * --client-cert-auth), as systemd-managed etcd often does; a flag on the command line wins.
 */
function etcdEnvironmentFlags(collector: Collector, pid: string, flags: readonly RawFlag[]): RawFlag[] {
  let raw: string;
  try {
    raw = readFileSync(collector.hostPath(`/proc/${pid}/environ`), 'utf8');
  } catch {
    return [];
  }
  const file = `/proc/${pid}/environ`;
  const out: RawFlag[] = [];
  for (const entry of raw.split('\0')) {
    const match = /^ETCD_([A-Z0-9_]+)=(.*)$/s.exec(entry);
    if (match === null) continue;
    const name = match[1]!.toLowerCase().replace(/_/g, '-');
    if (flags.some((flag) => flag.name === name)) continue;
    out.push({ name, value: match[2]!, explicitValue: true, file });
  }
  return out;
}

function collectKubeletUnit(collector: Collector): ComponentFacts | undefined {
  const units: UnitFile[] = [];
  for (const path of KUBELET_UNIT_FILES) {
    const facts = collector.file(path, true);
    if (facts.content !== undefined) {
      units.push({ path, content: facts.content });
      break;
    }
  }
  const dropIns: UnitFile[] = [];
  for (const directory of KUBELET_DROP_IN_DIRECTORIES) {
    const facts = collector.file(directory);
    for (const entry of facts.entries ?? []) {
      if (!entry.endsWith('.conf')) continue;
      const path = posix.join(directory, entry);
      const file = collector.file(path, true);
      if (file.content !== undefined) dropIns.push({ path, content: file.content });
    }
  }
  // Drop-ins apply in file-name order across directories; /etc wins over /usr/lib for the same name.
  const byName = new Map<string, UnitFile>();
  for (const dropIn of dropIns) byName.set(basename(dropIn.path), dropIn);
  const ordered = [...units, ...[...byName.values()].sort((a, b) => (basename(a.path) < basename(b.path) ? -1 : 1))];
  if (ordered.length === 0) return undefined;
  const command = unitCommand(ordered, (path) => {
    const facts = collector.file(path, true);
    return facts.content;
  });
  if (command === undefined) return undefined;
  const parsed = parseFlags(command.args, command.file);
  const binary = command.program.startsWith('/') ? collector.binary(command.program) : undefined;
  return { name: 'kubelet', origin: 'systemd', file: command.file, flags: parsed.flags, problems: [...command.problems, ...parsed.problems], ...(binary === undefined ? {} : { binary }) };
}

function collectReferencedFiles(collector: Collector, component: ComponentFacts): void {
  const contentFlags = new Set(['config', 'audit-policy-file', 'admission-control-config-file', 'encryption-provider-config', 'authorization-config', 'authentication-config']);
  for (const flag of component.flags) {
    if (!flag.value.startsWith('/')) continue;
    if (flag.name === 'encryption-provider-config') collector.file(flag.value, true, redactSecrets);
    else collector.file(flag.value, contentFlags.has(flag.name));
  }
  if (component.name === 'kube-apiserver') collectAdmissionConfigFiles(collector, component);
  if (component.name === 'etcd' && lastFlag(component.flags, 'data-dir') === undefined) collector.file('/var/lib/etcd');
  if (component.name === 'kubelet') collectKubeletConfig(collector, component);
  if (component.name === 'kube-proxy') {
    const config = lastFlag(component.flags, 'config');
    const text = config === undefined ? undefined : collector.text(config.value);
    const parsed = text === undefined ? undefined : parseYamlText(text);
    const value = parsed?.ok === true ? parsed.documents[0]?.value : undefined;
    const kubeconfig = isRecord(value) && isRecord(value.clientConnection) ? value.clientConnection.kubeconfig : undefined;
    if (typeof kubeconfig === 'string' && kubeconfig.startsWith('/')) collector.file(kubeconfig);
  }
}

/** Plugin configuration files named inside an AdmissionConfiguration (e.g. EventRateLimit's). */
function collectAdmissionConfigFiles(collector: Collector, component: ComponentFacts): void {
  const flag = lastFlag(component.flags, 'admission-control-config-file');
  const text = flag === undefined ? undefined : collector.text(flag.value);
  if (text === undefined) return;
  const parsed = parseYamlText(text);
  const value = parsed.ok ? parsed.documents[0]?.value : undefined;
  const plugins = isRecord(value) && Array.isArray(value.plugins) ? value.plugins : [];
  for (const plugin of plugins) if (isRecord(plugin) && typeof plugin.path === 'string') collector.file(plugin.path.startsWith('/') ? plugin.path : posix.join(posix.dirname(flag!.value), plugin.path), true);
}

function collectKubeletConfig(collector: Collector, component: ComponentFacts): void {
  const config = lastFlag(component.flags, 'config');
  const configs: string[] = [];
  if (config !== undefined) configs.push(config.value);
  const directory = lastFlag(component.flags, 'config-dir');
  if (directory !== undefined) {
    const facts = collector.file(directory.value);
    for (const entry of facts.entries ?? []) if (entry.endsWith('.conf')) configs.push(posix.join(directory.value, entry));
  }
  for (const path of configs) {
    const text = collector.text(path);
    if (text === undefined) continue;
    const parsed = parseYamlText(text);
    const value = parsed.ok ? parsed.documents[0]?.value : undefined;
    if (!isRecord(value)) continue;
    const authentication = isRecord(value.authentication) ? value.authentication : {};
    const x509 = isRecord(authentication.x509) ? authentication.x509 : {};
    for (const candidate of [x509.clientCAFile, value.tlsCertFile, value.tlsPrivateKeyFile]) {
      if (typeof candidate === 'string' && candidate.startsWith('/')) collector.file(candidate);
    }
  }
}

/** CoreDNS: a Corefile on the node, or the `coredns` ConfigMap among the manifests. */
function collectCoreDns(collector: Collector): void {
  collector.file('/etc/coredns/Corefile', true);
}

function readIdNames(collector: Collector, path: string): Record<string, string> {
  const text = collector.text(path);
  const names: Record<string, string> = {};
  if (text === undefined) return names;
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    if (fields.length >= 3 && fields[0] !== '' && /^\d+$/.test(fields[2]!)) names[fields[2]!] ??= fields[0]!;
  }
  return names;
}
