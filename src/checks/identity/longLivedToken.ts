/** Secrets of type service-account-token never expire, unlike projected tokens. */
import { objectCheck } from '../common/define.js';
import { MITRE, NSA } from '../common/frameworks.js';

export const longLivedToken = objectCheck(
  {
    id: 'secret-long-lived-token',
    title: 'Long-lived service account token Secret',
    category: 'identity',
    description: 'The Secret has type kubernetes.io/service-account-token: the token controller fills it with a token that never expires and stays valid until the Secret is deleted. Leaked once, it works forever.',
    remediation: 'Delete the Secret and let pods use projected, time-bound tokens; for external clients use kubectl create token (TokenRequest) with a short duration.',
    severity: { gain: 'access', effort: 'foothold', reason: 'Anyone who can read the Secret (or a copy of it) holds a permanent API credential.' },
    cis: ['5.1.6'],
    nsa: [NSA.serviceAccountTokens],
    mitre: [MITRE.stealAccessToken, MITRE.containerApiCredentials],
    equivalents: [],
  },
  ['Secret'],
  (object) => (object.raw.type === 'kubernetes.io/service-account-token' ? [{ message: `Secret ${object.name} is a long-lived service account token`, path: ['type'] }] : []),
  { group: '' },
);
