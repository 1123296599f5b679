/**
 * ingress-nginx snippet annotations inject raw NGINX configuration: with
 * them, whoever can write an Ingress reads the controller’s token (CVE-2021-25742).
 */
import { objectCheck } from '../common/define.js';
import { annotationsOf, mapping } from '../common/fields.js';
import { MITRE, NSA } from '../common/frameworks.js';

const SNIPPET_ANNOTATION = /^nginx\.ingress\.kubernetes\.io\/.*snippet$/;

export const nginxSnippet = objectCheck(
  {
    id: 'ingress-nginx-snippet',
    title: 'ingress-nginx snippet annotation (CVE-2021-25742)',
    category: 'vulnerable',
    description: 'An Ingress uses an ingress-nginx *-snippet annotation (configuration-snippet, server-snippet, auth-snippet…), or an ingress-nginx ConfigMap sets allow-snippet-annotations to true. Snippets are inserted verbatim into the controller’s NGINX configuration, so anyone who can create an Ingress can read files of the controller pod, including its ServiceAccount token, which reads every Secret of the cluster (CVE-2021-25742).',
    remediation: 'Remove snippet annotations and set allow-snippet-annotations: "false" in the controller ConfigMap (the default since controller 1.9); use the dedicated annotations instead.',
    severity: { gain: 'control', effort: 'foothold', reason: 'Needs only the right to write an Ingress; yields a token that reads every Secret.' },
    nsa: [NSA.upgrading],
    mitre: [MITRE.exploitPublicFacing, MITRE.containerApiCredentials],
    equivalents: [],
  },
  ['Ingress', 'ConfigMap'],
  (object) => {
    if (object.kind === 'ConfigMap') {
      const allowed = mapping(object.raw.data)?.['allow-snippet-annotations'];
      return allowed === 'true' ? [{ message: `ConfigMap ${object.name} allows ingress-nginx snippet annotations`, path: ['data', 'allow-snippet-annotations'] }] : [];
    }
    return Object.keys(annotationsOf(object.raw.metadata))
      .filter((key) => SNIPPET_ANNOTATION.test(key))
      .map((key) => ({ message: `Ingress ${object.name} uses snippet annotation ${key}`, path: ['metadata', 'annotations', key] }));
  },
);
