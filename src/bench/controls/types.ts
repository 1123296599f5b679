/** A CIS control: metadata plus a pure function over the effective node. */
import type { Severity } from '../../model/types.js';
import type { EffectiveNode } from '../effective.js';
import type { ControlStatus } from '../model.js';

export const TARGETS = ['master', 'etcd', 'controlplane', 'node', 'policies', 'coredns', 'cves'] as const;
export type Target = (typeof TARGETS)[number];

export interface Section {
  readonly id: string;
  readonly title: string;
  readonly target: Target;
}

export interface Outcome {
  readonly status: ControlStatus;
  readonly details: readonly string[];
  readonly file?: string;
  readonly line?: number;
}

export interface Control {
  /** CIS ID, e.g. `1.2.1`. */
  readonly id: string;
  /** Section ID, e.g. `1.2`. */
  readonly section: string;
  readonly title: string;
  /** Automated in the CIS document; false for controls CIS marks Manual. */
  readonly automated: boolean;
  /** Rampart decides the control although CIS marks it Manual, because it parses the files involved. */
  readonly automatedByRampart?: boolean;
  /** Not a CIS control: Rampart's own (IDs like `1.2.R1`), placed in the CIS section it belongs to. */
  readonly rampartOnly?: boolean;
  readonly severity: Severity;
  readonly remediation: string;
  readonly evaluate: (node: EffectiveNode) => Outcome;
}
