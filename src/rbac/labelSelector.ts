/**
 * Label selectors of `aggregationRule.clusterRoleSelectors`, with the
 * semantics of metav1.LabelSelectorAsSelector: every matchLabels pair and
 * every matchExpressions requirement must hold; an empty selector matches
 * every object.
 */
import { isJsonObject } from '../model/types.js';
import type { LabelSelector, LabelSelectorRequirement } from './model.js';

const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;

export type ParsedSelector = { readonly selector: LabelSelector } | { readonly error: string; readonly path: readonly (string | number)[] };

/** Parses one selector; `path` is relative to the selector. */
export function parseLabelSelector(value: unknown): ParsedSelector {
  if (!isJsonObject(value)) return { error: 'a label selector must be a mapping', path: [] };
  const matchLabels = Object.create(null) as Record<string, string>;
  if (value.matchLabels !== undefined && value.matchLabels !== null) {
    if (!isJsonObject(value.matchLabels)) return { error: 'matchLabels must be a mapping of strings', path: ['matchLabels'] };
    for (const [key, label] of Object.entries(value.matchLabels)) {
      if (typeof label !== 'string') return { error: `matchLabels.${key} must be a string`, path: ['matchLabels', key] };
      matchLabels[key] = label;
    }
  }
  const matchExpressions: LabelSelectorRequirement[] = [];
  if (value.matchExpressions !== undefined && value.matchExpressions !== null) {
    if (!Array.isArray(value.matchExpressions)) return { error: 'matchExpressions must be a list', path: ['matchExpressions'] };
    for (const [index, expression] of value.matchExpressions.entries()) {
      const path = ['matchExpressions', index];
      if (!isJsonObject(expression)) return { error: 'a match expression must be a mapping', path };
      const { key, operator } = expression;
      if (typeof key !== 'string' || key === '') return { error: 'a match expression needs a key', path };
      if (typeof operator !== 'string' || !(OPERATORS as readonly string[]).includes(operator)) {
        return { error: `operator must be one of ${OPERATORS.join(', ')}, got ${JSON.stringify(operator)}`, path: [...path, 'operator'] };
      }
      const rawValues = expression.values ?? [];
      if (!Array.isArray(rawValues) || rawValues.some((item) => typeof item !== 'string')) {
        return { error: 'values must be a list of strings', path: [...path, 'values'] };
      }
      const values = rawValues as string[];
      const typedOperator = operator as LabelSelectorRequirement['operator'];
      if ((typedOperator === 'In' || typedOperator === 'NotIn') && values.length === 0) {
        return { error: `operator ${typedOperator} needs at least one value`, path: [...path, 'values'] };
      }
      if ((typedOperator === 'Exists' || typedOperator === 'DoesNotExist') && values.length > 0) {
        return { error: `operator ${typedOperator} takes no values`, path: [...path, 'values'] };
      }
      matchExpressions.push({ key, operator: typedOperator, values });
    }
  }
  return { selector: { matchLabels, matchExpressions } };
}

export function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  // for...in rather than Object.entries: this runs for every pair of selector and pod in a namespace.
  for (const key in selector.matchLabels) {
    if (labels[key] !== selector.matchLabels[key]) return false;
  }
  for (const requirement of selector.matchExpressions) {
    const has = Object.prototype.hasOwnProperty.call(labels, requirement.key);
    const value = labels[requirement.key];
    switch (requirement.operator) {
      case 'In':
        if (!has || value === undefined || !requirement.values.includes(value)) return false;
        break;
      case 'NotIn':
        // A missing label satisfies NotIn, as in Kubernetes.
        if (has && value !== undefined && requirement.values.includes(value)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}

export function formatSelector(selector: LabelSelector): string {
  const parts = Object.entries(selector.matchLabels).map(([key, value]) => `${key}=${value}`);
  for (const requirement of selector.matchExpressions) {
    if (requirement.operator === 'Exists') parts.push(requirement.key);
    else if (requirement.operator === 'DoesNotExist') parts.push(`!${requirement.key}`);
    else parts.push(`${requirement.key} ${requirement.operator === 'In' ? 'in' : 'notin'} (${requirement.values.join(',')})`);
  }
  return parts.length === 0 ? '<everything>' : parts.join(',');
}
