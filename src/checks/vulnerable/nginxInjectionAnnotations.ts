/** ingress-nginx annotations whose values reached the NGINX configuration unescaped (the 2025 “IngressNightmare” family). */
import { objectCheck } from '../common/define.js';
import { annotationsOf } from '../common/fields.js';
import { MITRE, NSA } from '../common/frameworks.js';

/** Annotation → the CVE where its value could inject configuration. */
const RISKY: Readonly<Record<string, string>> = {
  'nginx.ingress.kubernetes.io/auth-url': 'CVE-2025-24514',
  'nginx.ingress.kubernetes.io/auth-tls-match-cn': 'CVE-2025-1097',
  'nginx.ingress.kubernetes.io/mirror-target': 'CVE-2025-1098',
  'nginx.ingress.kubernetes.io/mirror-host': 'CVE-2025-1098',
  'nginx.ingress.kubernetes.io/permanent-redirect': 'CVE-2023-5043',
};

export const nginxInjectionAnnotations = objectCheck(
  {
    id: 'ingress-nginx-injectable-annotation',
    title: 'ingress-nginx annotation with a configuration-injection history',
    category: 'vulnerable',
    description: `An Ingress sets an ingress-nginx annotation whose value older controllers copied unescaped into NGINX configuration (${Object.entries(RISKY).map(([key, cve]) => `${key.slice(key.indexOf('/') + 1)}: ${cve}`).join('; ')}). On unpatched controllers (before 1.11.5 and 1.12.1 for the 2025 CVEs) an Ingress author can run code in the controller and read every Secret of the cluster.`,
    remediation: 'Upgrade ingress-nginx to 1.11.5, 1.12.1 or later, restrict who may create Ingresses, and review these annotations’ values.',
    severity: { gain: 'control', effort: 'chained', reason: 'Needs an unpatched controller and the right to write an Ingress; yields the controller’s cluster-wide Secret access.' },
    nsa: [NSA.upgrading],
    mitre: [MITRE.exploitPublicFacing],
    equivalents: [],
  },
  ['Ingress'],
  (object) =>
    Object.keys(annotationsOf(object.raw.metadata))
      .filter((key) => RISKY[key] !== undefined)
      .map((key) => ({ message: `Ingress ${object.name} uses ${key} (${RISKY[key] ?? ''} on unpatched controllers)`, path: ['metadata', 'annotations', key] })),
);
