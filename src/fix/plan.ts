/** Groups the fixes of a scan's findings by file and object, for `fixText`. */
import type { Finding, FieldPath, KubeObject } from '../model/types.js';
import type { ObjectFix } from './apply.js';

/** Where each scanned object sits in its document; findings name the object, this finds its node. */
export class ObjectPlaces {
  private readonly places = new Map<string, FieldPath | null>();

  observe(object: KubeObject): void {
    const key = placeKey(object.source.file, object.source.documentIndex, object.kind, object.namespace, object.name);
    // Two objects with the same identity in one document: a finding cannot say which; null marks it ambiguous.
    this.places.set(key, this.places.has(key) ? null : object.source.pathInDocument);
  }

  find(finding: Finding): FieldPath | null | undefined {
    return this.places.get(placeKey(finding.location.file, finding.location.documentIndex, finding.object.kind, finding.object.namespace, finding.object.name));
  }
}

function placeKey(file: string, documentIndex: number, kind: string, namespace: string | undefined, name: string): string {
  return JSON.stringify([file, documentIndex, kind, namespace ?? null, name]);
}

export interface FilePlan {
  readonly file: string;
  readonly fixes: ObjectFix[];
  /** Findings fixed by this plan, by check ID. */
  readonly checks: Map<string, number>;
}

/** The fixable findings (of `onlyChecks`, when given), grouped by file in input order. */
export function planFixes(findings: readonly Finding[], places: ObjectPlaces, onlyChecks?: ReadonlySet<string>): { plans: FilePlan[]; unplaced: Finding[] } {
  const plans = new Map<string, FilePlan>();
  const unplaced: Finding[] = [];
  for (const finding of findings) {
    if (finding.fix === undefined || (onlyChecks !== undefined && !onlyChecks.has(finding.checkId))) continue;
    const pathInDocument = places.find(finding);
    if (pathInDocument === undefined || pathInDocument === null) {
      unplaced.push(finding);
      continue;
    }
    let plan = plans.get(finding.location.file);
    if (plan === undefined) {
      plan = { file: finding.location.file, fixes: [], checks: new Map() };
      plans.set(finding.location.file, plan);
    }
    plan.fixes.push({ documentIndex: finding.location.documentIndex, pathInDocument, kind: finding.object.kind, name: finding.object.name, edits: finding.fix });
    plan.checks.set(finding.checkId, (plan.checks.get(finding.checkId) ?? 0) + 1);
  }
  return { plans: [...plans.values()], unplaced };
}
