/**
 * Checks on an image's configuration and build: runs as root, secrets in the
 * environment or the build history (found by name and by entropy; values are
 * never copied into a finding), ADD from a URL, sensitive exposed ports, no
 * healthcheck on a server image, setuid files the image's build added.
 */
import type { ImageConfig, SetuidFile } from './model.js';

export type ImageSeverity = 'critical' | 'high' | 'medium' | 'low' | 'info';

export interface ImageConfigFinding {
  readonly id: string;
  readonly severity: ImageSeverity;
  readonly title: string;
  readonly message: string;
}

export const IMAGE_CHECKS = {
  root: { id: 'IMG-ROOT-USER', title: 'Image runs as root', severity: 'medium' },
  envSecret: { id: 'IMG-SECRET-ENV', title: 'Secret in the image environment', severity: 'high' },
  historySecret: { id: 'IMG-SECRET-HISTORY', title: 'Secret in the build history', severity: 'high' },
  addUrl: { id: 'IMG-ADD-URL', title: 'ADD from a URL', severity: 'low' },
  port: { id: 'IMG-SENSITIVE-PORT', title: 'Sensitive port exposed', severity: 'medium' },
  healthcheck: { id: 'IMG-NO-HEALTHCHECK', title: 'Server image without a healthcheck', severity: 'info' },
  setuid: { id: 'IMG-SETUID-ADDED', title: 'Setuid or setgid file added by the image', severity: 'high' },
  setuidPackage: { id: 'IMG-SETUID-PACKAGE', title: 'Setuid file installed by the image build', severity: 'low' },
} as const satisfies Record<string, { id: string; title: string; severity: ImageSeverity }>;

const SECRET_NAME = /(passw(or)?d|passwd|secret|token|api[_-]?key|apikey|private[_-]?key|access[_-]?key|credential|auth[_-]?key|client[_-]?secret)/i;
/** Names that hold a reference to a secret, not the secret. */
const REFERENCE_NAME = /(_FILE|_PATH|_DIR|_URL|_URI|_NAME|_ID|_ENABLED|_LENGTH)$/i;
const SENSITIVE_PORTS: Readonly<Record<number, string>> = {
  21: 'FTP',
  22: 'SSH',
  23: 'Telnet',
  2375: 'Docker API (plain text)',
  2376: 'Docker API',
  2379: 'etcd',
  2380: 'etcd peer',
  3306: 'MySQL',
  3389: 'RDP',
  5432: 'PostgreSQL',
  5900: 'VNC',
  6379: 'Redis',
  9200: 'Elasticsearch',
  10250: 'kubelet API',
  11211: 'memcached',
  27017: 'MongoDB',
};

/** Shannon entropy in bits per character. */
export function entropy(text: string): number {
  if (text.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** A value that looks like a random credential: long, high entropy, not a digest, path or URL. */
export function looksRandom(value: string): boolean {
  if (value.length < 20 || /\s/.test(value)) return false;
  if (/^[a-f0-9]{32,128}$/i.test(value)) return false; // checksums and digests in build steps
  if (/^(sha256|sha512):/.test(value) || value.includes('/') || value.startsWith('$')) return false;
  return entropy(value) >= 4.0;
}

function isPlaceholder(value: string): boolean {
  return value === '' || /^\$\{?[A-Za-z_]/.test(value) || /^(changeme|change-me|none|null|false|true|xxx+|\*+|<.*>)$/i.test(value);
}

function isRootUser(user: string | undefined): boolean {
  if (user === undefined || user.trim() === '') return true;
  const name = user.split(':')[0]!.trim();
  return name === 'root' || name === '0';
}

export function checkImageConfig(config: ImageConfig, setuidFiles: readonly SetuidFile[]): ImageConfigFinding[] {
  const findings: ImageConfigFinding[] = [];
  const add = (check: (typeof IMAGE_CHECKS)[keyof typeof IMAGE_CHECKS], message: string, severity: ImageSeverity = check.severity): void => {
    findings.push({ id: check.id, severity, title: check.title, message });
  };
  const user = config.config?.User;
  if (isRootUser(user)) add(IMAGE_CHECKS.root, user === undefined || user.trim() === '' ? 'the image sets no USER, so it runs as root (UID 0)' : `the image's USER is ${JSON.stringify(user)}, which is root`);

  for (const entry of config.config?.Env ?? []) {
    const equals = entry.indexOf('=');
    if (equals <= 0) continue;
    const name = entry.slice(0, equals);
    const value = entry.slice(equals + 1);
    if (isPlaceholder(value)) continue;
    if (SECRET_NAME.test(name) && !REFERENCE_NAME.test(name)) add(IMAGE_CHECKS.envSecret, `environment variable ${name} looks like a secret by its name (value of ${value.length} characters not shown)`);
    else if (looksRandom(value)) add(IMAGE_CHECKS.envSecret, `environment variable ${name} holds a high-entropy value (${value.length} characters, not shown)`, 'medium');
  }

  (config.history ?? []).forEach((step, index) => {
    const command = step.created_by ?? '';
    const named = /(?:^|[\s;&|"'])(?:ENV\s+|ARG\s+|export\s+|--build-arg\s+)?([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|\S+)/g;
    const reported = new Set<string>();
    for (const match of command.matchAll(named)) {
      const name = match[1]!;
      const value = match[2]!.replace(/^["']|["']$/g, '');
      if (reported.has(name) || isPlaceholder(value)) continue;
      if (SECRET_NAME.test(name) && !REFERENCE_NAME.test(name)) {
        reported.add(name);
        add(IMAGE_CHECKS.historySecret, `build step ${index} sets ${name} (value of ${value.length} characters not shown); it stays readable in the image history`);
      }
    }
    for (const token of command.split(/[\s"'=:,;]+/)) {
      if (looksRandom(token) && token.length >= 24 && !reported.has(token.slice(0, 4))) {
        reported.add(token.slice(0, 4));
        add(IMAGE_CHECKS.historySecret, `build step ${index} contains a high-entropy string of ${token.length} characters (not shown)`, 'medium');
      }
    }
    if (/\bADD\b(\s+--[a-z-]+(=\S+)?)*\s+(https?|ftp):\/\//i.test(command)) add(IMAGE_CHECKS.addUrl, `build step ${index} uses ADD with a URL: the download is not checked against a checksum unless --checksum is given`);
  });

  const ports = Object.keys(config.config?.ExposedPorts ?? {});
  for (const port of ports) {
    const number = Number(port.split('/')[0]);
    const service = SENSITIVE_PORTS[number];
    if (service !== undefined) add(IMAGE_CHECKS.port, `the image exposes port ${port} (${service})`);
  }
  const healthcheck = config.config?.Healthcheck?.Test;
  if (ports.length > 0 && (healthcheck === undefined || healthcheck.length === 0 || healthcheck[0] === 'NONE')) {
    add(IMAGE_CHECKS.healthcheck, 'the image exposes ports but defines no HEALTHCHECK (Kubernetes ignores it; define liveness and readiness probes instead)');
  }

  for (const file of setuidFiles) {
    const bits = `${(file.mode & 0o4000) !== 0 ? 'setuid' : ''}${(file.mode & 0o6000) === 0o6000 ? '+' : ''}${(file.mode & 0o2000) !== 0 ? 'setgid' : ''}`;
    if (file.ownedBy === undefined) add(IMAGE_CHECKS.setuid, `${file.path} is ${bits} (mode ${file.mode.toString(8)}), added in layer ${file.layer} and owned by no OS package`);
    else if (file.layer > 0) add(IMAGE_CHECKS.setuidPackage, `${file.path} is ${bits}, installed by package ${file.ownedBy} in layer ${file.layer}`);
  }
  return findings;
}
