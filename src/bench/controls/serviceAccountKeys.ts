/**
 * 1.2.R1, Rampart's own: the service-account signing key is rotated. CIS only
 * asks that the key flags are set (1.2.22, 1.3.4); how old the key is, is left
 * to the reader. The age is the key file's modification time, measured from
 * when the node was collected.
 */
import type { EffectiveNode } from '../effective.js';
import type { FileFacts } from '../model.js';
import { info, missingComponent, pass, warn } from './helpers.js';
import type { Control, Outcome } from './types.js';

const DAY_MS = 24 * 60 * 60 * 1000;

interface KeyFile {
  readonly path: string;
  /** Which flag of which component names it, for messages. */
  readonly named: string;
}

function keyFiles(node: EffectiveNode, component: 'kube-apiserver' | 'kube-controller-manager', flag: string): KeyFile[] {
  const facts = node.component(component)?.facts;
  if (facts === undefined) return [];
  const values = facts.flags.filter((candidate) => candidate.name === flag && candidate.value !== '').map((candidate) => candidate.value);
  // --service-account-key-file may be repeated, each occurrence one more file; the other flags keep their last value.
  const paths = flag === 'service-account-key-file' ? [...new Set(values)] : values.slice(-1);
  return paths.map((path) => ({ path, named: `${component} --${flag}` }));
}

/** Days between the file's modification and the collection, or why it is unknown. */
function ageOf(node: EffectiveNode, path: string): { days: number; modified: string; facts: FileFacts } | { unknown: string } {
  const facts = node.file(path);
  if (facts === undefined) return { unknown: `${path} was not collected` };
  if (!facts.exists) return { unknown: facts.error ?? `${path} does not exist on the node` };
  if (facts.modified === undefined) return { unknown: `the modification time of ${path} is not in the snapshot` };
  const modified = new Date(facts.modified);
  if (Number.isNaN(modified.getTime())) return { unknown: `the modification time of ${path} is not a date (${facts.modified})` };
  return { days: Math.max(0, Math.floor((node.now.getTime() - modified.getTime()) / DAY_MS)), modified: facts.modified.slice(0, 10), facts };
}

export function judgeSigningKeyAge(node: EffectiveNode): Outcome {
  if (node.component('kube-apiserver') === undefined && node.component('kube-controller-manager') === undefined) return missingComponent(node, 'kube-apiserver');
  const maximum = node.serviceAccountKeyMaxAgeDays;
  const signing = [...keyFiles(node, 'kube-apiserver', 'service-account-signing-key-file'), ...keyFiles(node, 'kube-controller-manager', 'service-account-private-key-file')];
  const verification = keyFiles(node, 'kube-apiserver', 'service-account-key-file');
  const details: string[] = [];
  const unknown: string[] = [];
  let oldest: { days: number; file: KeyFile } | undefined;
  const seen = new Set<string>();
  for (const file of signing) {
    if (seen.has(file.path)) continue;
    seen.add(file.path);
    const age = ageOf(node, file.path);
    if ('unknown' in age) {
      unknown.push(`${file.named}: ${age.unknown}`);
      continue;
    }
    details.push(`signing key ${file.path} (${file.named}) was last modified ${age.modified}, ${age.days} days before collection`);
    if (oldest === undefined || age.days > oldest.days) oldest = { days: age.days, file };
  }
  details.push(...unknown);
  details.push(...verificationNotes(node, verification));
  if (signing.length === 0) return info(['no signing key is configured (kube-apiserver --service-account-signing-key-file, kube-controller-manager --service-account-private-key-file); 1.2.22 and 1.3.4 judge the flags', ...details]);
  if (oldest === undefined) return info([`the signing key files are not visible on this node, so their age is unknown`, ...details]);
  if (oldest.days > maximum) {
    return warn([`the signing key ${oldest.file.path} is ${oldest.days} days old, older than ${maximum} days`, ...details], { file: oldest.file.path });
  }
  return pass([`signing keys are at most ${oldest.days} days old (limit ${maximum} days)`, ...details], { file: oldest.file.path });
}

/** Several verification keys: a rotation in progress (or finished without removing the old key). */
function verificationNotes(node: EffectiveNode, files: readonly KeyFile[]): string[] {
  if (files.length === 0) return ['no verification key is configured (kube-apiserver --service-account-key-file)'];
  const ages = files.map((file) => {
    const age = ageOf(node, file.path);
    return 'unknown' in age ? `${file.path} (${age.unknown})` : `${file.path} (modified ${age.modified}, ${age.days} days)`;
  });
  if (files.length === 1) return [`one verification key: ${ages[0]!}`];
  return [
    `${files.length} verification keys are configured (--service-account-key-file): ${ages.join(', ')}. A rotation keeps the old public key listed until the tokens it signed have expired; remove it then`,
  ];
}

export const SERVICE_ACCOUNT_KEY_ROTATION: Control = {
  id: '1.2.R1',
  section: '1.2',
  title: 'The service account signing key is rotated (key file at most 365 days old by default)',
  automated: false,
  automatedByRampart: true,
  rampartOnly: true,
  severity: 'medium',
  remediation:
    'Rotate the signing key: generate a new key pair, add the new public key as another --service-account-key-file of the API server (keep the old one), switch --service-account-signing-key-file and the controller manager\'s --service-account-private-key-file to the new private key, and remove the old public key once every token it signed has expired (bound tokens last at most --service-account-max-token-expiration).',
  evaluate: judgeSigningKeyAge,
};
