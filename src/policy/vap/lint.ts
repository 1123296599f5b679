/**
 * `rampart policy lint`: what the API server would refuse when the policies
 * are created, without a cluster. Every CEL field is compiled against the
 * chosen Kubernetes version (syntax, undeclared identifiers and
 * `variables.x`, functions the version lacks) and type-checked where the
 * types are certain (typeCheck.ts: validations and matchConditions must be
 * bool, messageExpression string, no `'a' + 1`); CelCheck documents among
 * the files are checked the same way against their own version.
 */
import type { Diagnostic, KubeObject } from '../../model/types.js';
import { celChecksFrom, isCelCheckObject } from '../checks/celChecks.js';
import { formatVersion, type KubernetesVersion } from '../environment.js';
import { buildPolicySet } from './index.js';
import { isBinding, isPolicy } from './parse.js';

export interface LintResult {
  readonly version: KubernetesVersion;
  readonly policies: number;
  readonly bindings: number;
  readonly celChecks: number;
  readonly diagnostics: readonly Diagnostic[];
  readonly notes: readonly string[];
}

export function lintPolicies(objects: readonly KubeObject[], version: KubernetesVersion): LintResult {
  const built = buildPolicySet({ policyObjects: [...objects], resources: [], namespaceObjects: [], version });
  const celCheckObjects = objects.filter(isCelCheckObject);
  const celChecks = celChecksFrom(celCheckObjects);
  return {
    version,
    policies: objects.filter(isPolicy).length,
    bindings: objects.filter(isBinding).length,
    celChecks: celCheckObjects.length,
    diagnostics: [...built.diagnostics, ...celChecks.diagnostics],
    notes: built.notes,
  };
}

function diagnosticLine(diagnostic: Diagnostic): string {
  const where = diagnostic.line !== undefined ? `${diagnostic.file}:${diagnostic.line}:${diagnostic.column ?? 1}` : diagnostic.file;
  return `${where}: ${diagnostic.severity}: ${diagnostic.message}`;
}

export function renderLintTable(result: LintResult): string {
  const errors = result.diagnostics.filter((diagnostic) => diagnostic.severity === 'error').length;
  const lines = [...result.diagnostics.map(diagnosticLine), ...result.notes.map((note) => `note: ${note}`)];
  lines.push(
    `${result.policies} ValidatingAdmissionPolicies, ${result.bindings} bindings, ${result.celChecks} CelChecks on the Kubernetes ${formatVersion(result.version)} CEL environment: ` +
      `${errors} error${errors === 1 ? '' : 's'}, ${result.diagnostics.length - errors} warning${result.diagnostics.length - errors === 1 ? '' : 's'}`,
  );
  return `${lines.join('\n')}\n`;
}

export function renderLintJson(result: LintResult): string {
  return `${JSON.stringify({ kubernetesVersion: formatVersion(result.version), policies: result.policies, bindings: result.bindings, celChecks: result.celChecks, diagnostics: result.diagnostics, notes: result.notes }, null, 2)}\n`;
}
