/** Pod Security Standards as a check family of the scan. Placeholder until the family lands. */
import type { DeferredPodCheck } from '../../engine/scan.js';

export interface PssScanOptions {
  /** Level applied to pods whose namespace has no Pod Security labels in the input. */
  readonly level: 'baseline' | 'restricted';
  /** `latest` or `v1.N`. */
  readonly version: string;
  /** PSS check IDs (`PSS-<psaCheckId>`) the user disabled in the config file. */
  readonly disabledChecks?: ReadonlySet<string>;
}

export function createPssDeferredCheck(_options: PssScanOptions): DeferredPodCheck {
  return { run: () => [] };
}

/** The concrete policy version `latest` stands for. */
export function resolvePssVersion(version: string): string {
  return version;
}
