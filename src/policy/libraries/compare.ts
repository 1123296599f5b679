/**
 * `isLessThan`, `isGreaterThan` and `compareTo` exist for quantities (1.28+)
 * and semantic versions (1.33+). @bufbuild/cel overloads on declared types
 * only, and both are opaque, so one method per name dispatches on the
 * receiver and reports the kind the version lacks as an unknown overload.
 */
import { celMethod, CelScalar, type CelFunc } from '@bufbuild/cel';
import { noOverload } from './opaque.js';
import { Quantity, quantityMethod } from './quantity.js';
import { Semver, semverCompare } from './semver.js';

const { DYN, BOOL, INT } = CelScalar;

export function comparisonMethods(kinds: { quantity: boolean; semver: boolean }): CelFunc[] {
  const compare = (name: string, self: unknown, other: unknown): number => {
    if (kinds.quantity && self instanceof Quantity) return Number(quantityMethod('compareTo', self, [other]));
    if (kinds.semver && self instanceof Semver) {
      if (!(other instanceof Semver)) throw noOverload(name, self, other);
      return semverCompare(self, other);
    }
    throw noOverload(name, self, other);
  };
  return [
    celMethod('isLessThan', DYN, [DYN], BOOL, function (other) {
      return compare('isLessThan', this, other) < 0;
    }),
    celMethod('isGreaterThan', DYN, [DYN], BOOL, function (other) {
      return compare('isGreaterThan', this, other) > 0;
    }),
    celMethod('compareTo', DYN, [DYN], INT, function (other) {
      return BigInt(compare('compareTo', this, other));
    }),
  ];
}
