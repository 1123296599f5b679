/** A LimitRange gives containers without requests and limits sane defaults. */
import { objectCheck } from '../common/define.js';
import { MITRE, NSA } from '../common/frameworks.js';

export const namespaceLimitRange = objectCheck(
  {
    id: 'namespace-without-limit-range',
    title: 'Namespace has no LimitRange',
    category: 'resources',
    description: 'A Namespace in the input has no LimitRange in the input, so containers that omit requests or limits run unbounded instead of receiving defaults. Judged after the whole input is read.',
    remediation: 'Add a LimitRange with default and defaultRequest values for cpu and memory.',
    severity: { gain: 'weakening', effort: 'foothold', reason: 'Lets unbounded containers into the namespace; exploitation needs a workload that misbehaves or is compromised.' },
    cis: ['5.7.1'],
    nsa: [NSA.resourcePolicies],
    mitre: [MITRE.resourceHijacking],
    equivalents: [],
  },
  ['Namespace'],
  (object, { cluster }) => (cluster.hasLimitRange(object.name) ? [] : [{ message: `namespace ${object.name} has no LimitRange`, path: ['metadata', 'name'] }]),
  { group: '', afterInput: true },
);
