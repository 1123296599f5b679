/** Message building shared by the PSS checks: subjects, quoting, grouping. */
import type { PssOffense, Subject } from './types.js';

export function quote(value: string): string {
  return JSON.stringify(value);
}

export function quoteList(values: readonly string[]): string {
  return values.map(quote).join(', ');
}

export function pluralize(count: number, singular: string, plural: string): string {
  return count === 1 ? singular : plural;
}

export function containerSubject(name: string): Subject {
  return { kind: 'container', name };
}

export const POD: Subject = { kind: 'pod' };

/** `pod`, `container "app"`, `volume "data"`, `annotation "key"` (what `describeSubjects` says of one subject). */
export function describeSubject(subject: Subject): string {
  // Called once per offense (every PSS finding's message): no lists or sets for a single subject.
  switch (subject.kind) {
    case 'pod':
      return 'pod';
    case 'container':
      return `container ${quote(subject.name)}`;
    case 'volume':
      return `volume ${quote(subject.name)}`;
    case 'annotation':
      return `annotation ${quote(subject.key)}`;
  }
}

/** `pod and containers "a", "b"`: one phrase for several subjects, grouped by kind in a stable order. */
export function describeSubjects(subjects: readonly Subject[]): string {
  const names = (kind: Subject['kind']): string[] => {
    const seen = new Set<string>();
    for (const subject of subjects) {
      if (subject.kind !== kind) continue;
      seen.add(subject.kind === 'annotation' ? subject.key : subject.kind === 'pod' ? 'pod' : subject.name);
    }
    return [...seen];
  };
  const parts: string[] = [];
  if (names('pod').length > 0) parts.push('pod');
  const containers = names('container');
  if (containers.length > 0) parts.push(`${pluralize(containers.length, 'container', 'containers')} ${quoteList(containers)}`);
  const volumes = names('volume');
  if (volumes.length > 0) parts.push(`${pluralize(volumes.length, 'volume', 'volumes')} ${quoteList(volumes)}`);
  const annotations = names('annotation');
  if (annotations.length > 0) parts.push(`${pluralize(annotations.length, 'annotation', 'annotations')} ${quoteList(annotations)}`);
  return parts.join(' and ');
}

export function offenseMessage(offense: PssOffense): string {
  return `${describeSubject(offense.subject)} ${offense.predicate}`;
}

/** The default detail: subjects sharing a predicate are named together, predicates in first-seen order. */
export function groupedDetail(offenses: readonly PssOffense[]): string {
  const groups = new Map<string, Subject[]>();
  for (const offense of offenses) {
    const group = groups.get(offense.predicate) ?? [];
    group.push(offense.subject);
    groups.set(offense.predicate, group);
  }
  return [...groups].map(([predicate, subjects]) => `${describeSubjects(subjects)} ${predicate}`).join('; ');
}

export function subjectContainer(subject: Subject): string | undefined {
  return subject.kind === 'container' ? subject.name : undefined;
}
