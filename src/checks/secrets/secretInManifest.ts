/** A Secret with its data in the manifest means the credential lives in the repository. */
import { objectCheck } from '../common/define.js';
import { mapping } from '../common/fields.js';
import { MITRE, NSA } from '../common/frameworks.js';

/** Types whose data Kubernetes fills in itself, or that hold no credential. */
const GENERATED_TYPES = new Set(['kubernetes.io/service-account-token', 'bootstrap.kubernetes.io/token']);

export const secretInManifest = objectCheck(
  {
    id: 'secret-data-in-manifest',
    title: 'Secret values stored in the manifest',
    category: 'secrets',
    description: 'A Secret carries data or stringData in the scanned manifests. Base64 is an encoding, not encryption: the credential is readable by anyone with access to the repository or its history. The finding names the keys, never the values.',
    remediation: 'Keep Secret values out of source control: use an external secret store (External Secrets, Secrets Store CSI), Sealed Secrets or SOPS-encrypted files, and rotate the exposed values.',
    severity: { gain: 'access', effort: 'none', reason: 'Reading the repository is enough to obtain the credential.' },
    cis: ['5.4.2'],
    nsa: [NSA.secrets],
    mitre: [MITRE.credentialsInFiles],
    equivalents: [],
  },
  ['Secret'],
  (object) => {
    if (typeof object.raw.type === 'string' && GENERATED_TYPES.has(object.raw.type)) return [];
    return (['data', 'stringData'] as const).flatMap((field) => {
      const entries = Object.entries(mapping(object.raw[field]) ?? {}).filter(([, value]) => typeof value === 'string' && value !== '');
      return entries.length === 0 ? [] : [{ message: `Secret ${object.name} stores ${entries.length === 1 ? 'key' : 'keys'} ${entries.map(([key]) => key).join(', ')} in ${field}`, path: [field] }];
    });
  },
  { group: '' },
);
