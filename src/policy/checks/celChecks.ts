/**
 * Custom Rampart checks written in CEL. A check is a YAML document:
 *
 *   apiVersion: rampart.dev/v1alpha1
 *   kind: CelCheck
 *   metadata: {name: no-latest-tag}
 *   spec:
 *     id: CUSTOM-no-latest-tag
 *     title: Images are pinned
 *     severity: high
 *     kinds: [Pod, Deployment]        # optional; empty or absent: every kind
 *     forEachContainer: true          # optional: run once per container, with `container`
 *     expression: "!container.image.endsWith(':latest')"   # true = compliant
 *     message: "container uses the latest tag"
 *     messageExpression: "'container ' + container.name + ' uses ' + container.image"   # optional
 *
 * Variables: `object`; for objects that carry a pod, `podSpec`, `podMetadata`
 * and `containers` (every container, init and ephemeral ones included, each
 * with `name`, `kind`, `image`, `raw` and `effective`, the security context
 * after pod-level inheritance, from Rampart's one resolver); `container` with
 * forEachContainer. The checks become ordinary `Check`s: the scan engine runs
 * them beside the built-in ones, with the same findings and reporters.
 */
import { locate, formatPath, isJsonObject, isSeverity, type Diagnostic, type FrameworkMapping, type KubeObject, type Severity } from '../../model/types.js';
import type { ContainerView, EffectiveSecurityContext, PodView, Setting } from '../../model/podView.js';
import type { Check, CheckReport } from '../../checks/types.js';
import { resultTypeProblem } from '../typeCheck.js';
import { compile, parseKubernetesVersion, type Program } from '../environment.js';
import { celToJson, jsonToCel } from '../values.js';

export const CEL_CHECK_API_VERSION = 'rampart.dev/v1alpha1';
export const CEL_CHECK_KIND = 'CelCheck';

const VARIABLES = ['object', 'podSpec', 'podMetadata', 'containers', 'container'];
const FRAMEWORKS = ['PSS', 'CIS', 'NSA-CISA', 'MITRE-ATTACK'] as const;

export function isCelCheckObject(object: KubeObject): boolean {
  return object.kind === CEL_CHECK_KIND && object.apiVersion === CEL_CHECK_API_VERSION;
}

function settingValue<T>(setting: Setting<T> | undefined): T | null {
  return setting === undefined ? null : setting.value;
}

function effectiveJson(effective: EffectiveSecurityContext): Record<string, unknown> {
  return {
    runAsUser: settingValue(effective.runAsUser),
    runAsGroup: settingValue(effective.runAsGroup),
    runAsNonRoot: settingValue(effective.runAsNonRoot),
    seccompProfileType: settingValue(effective.seccompProfileType),
    appArmorProfileType: settingValue(effective.appArmorProfileType),
    privileged: settingValue(effective.privileged),
    allowPrivilegeEscalation: settingValue(effective.allowPrivilegeEscalation),
    readOnlyRootFilesystem: settingValue(effective.readOnlyRootFilesystem),
    procMount: settingValue(effective.procMount),
    capabilitiesAdd: effective.capabilitiesAdd.map((setting) => setting.value),
    capabilitiesDrop: effective.capabilitiesDrop.map((setting) => setting.value),
  };
}

function containerJson(container: ContainerView): Record<string, unknown> {
  return { name: container.name, kind: container.kind, image: typeof container.raw.image === 'string' ? container.raw.image : null, raw: container.raw, effective: effectiveJson(container.effective) };
}

interface CelCheckSpec {
  readonly forEachContainer: boolean;
  readonly kinds: readonly string[];
  readonly expression: Program;
  readonly message: string;
  readonly messageExpression: Program | undefined;
}

function evaluateMessage(spec: CelCheckSpec, bindings: Record<string, unknown>): string {
  if (spec.messageExpression === undefined) return spec.message;
  const result = spec.messageExpression.evaluate(bindings);
  return result.ok && typeof result.value === 'string' && result.value.trim() !== '' ? result.value : spec.message;
}

function runCelCheck(spec: CelCheckSpec, object: KubeObject, pod: PodView | undefined): CheckReport[] {
  const base: Record<string, unknown> = {
    object: jsonToCel(object.raw),
    podSpec: pod === undefined ? null : jsonToCel(pod.spec),
    podMetadata: pod === undefined ? null : jsonToCel(pod.metadata),
    containers: pod === undefined ? jsonToCel([]) : jsonToCel(pod.containers.map(containerJson)),
    container: null,
  };
  const judge = (bindings: Record<string, unknown>, path: readonly (string | number)[], container?: string): CheckReport[] => {
    const result = spec.expression.evaluate(bindings);
    const where = container !== undefined ? { container } : {};
    if (!result.ok) return [{ message: `the check's expression failed, so Rampart reports the object: ${result.error}`, path, ...where }];
    if (result.value === true) return [];
    if (result.value !== false) return [{ message: `the check's expression must give a bool, got ${JSON.stringify(celToJson(result.value))}`, path, ...where }];
    return [{ message: evaluateMessage(spec, bindings), path, ...where }];
  };
  if (!spec.forEachContainer) return judge(base, []);
  if (pod === undefined) return [];
  return pod.containers.flatMap((container) => judge({ ...base, container: jsonToCel(containerJson(container)) }, container.path, container.name));
}

export interface LoadedCelChecks {
  readonly checks: readonly Check[];
  readonly diagnostics: readonly Diagnostic[];
}

/** Turns CelCheck documents into checks; anything wrong becomes a diagnostic at the field and the check is left out. */
export function celChecksFrom(objects: readonly KubeObject[]): LoadedCelChecks {
  const checks: Check[] = [];
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const object of objects) {
    if (!isCelCheckObject(object)) continue;
    const problems: Diagnostic[] = [];
    const problem = (path: (string | number)[], message: string): void => {
      const location = locate(object, path);
      problems.push({ severity: 'error', code: 'cel-check-invalid', message: `CelCheck "${object.name}": ${formatPath(path)}: ${message}; the check is not run`, file: location.file, documentIndex: location.documentIndex, line: location.line, column: location.column });
    };
    const spec = isJsonObject(object.raw.spec) ? object.raw.spec : {};
    const text = (key: string, required: boolean): string | undefined => {
      const value = spec[key];
      if (value === undefined || value === null) {
        if (required) problem(['spec', key], 'is required');
        return undefined;
      }
      if (typeof value !== 'string') {
        problem(['spec', key], 'must be a string');
        return undefined;
      }
      return value;
    };
    const id = text('id', true);
    const title = text('title', true);
    const severityText = text('severity', true);
    const message = text('message', false);
    const expressionText = text('expression', true);
    const messageExpressionText = text('messageExpression', false);
    const versionText = text('kubernetesVersion', false) ?? 'latest';
    let severity: Severity = 'medium';
    if (severityText !== undefined) {
      if (isSeverity(severityText)) severity = severityText;
      else problem(['spec', 'severity'], 'must be one of critical, high, medium, low, info');
    }
    if (id !== undefined && seen.has(id)) problem(['spec', 'id'], `check ID ${id} is defined twice`);
    const kinds = Array.isArray(spec.kinds) ? spec.kinds.filter((kind): kind is string => typeof kind === 'string') : [];
    const forEachContainer = spec.forEachContainer === true;
    const frameworks: FrameworkMapping[] = [];
    if (Array.isArray(spec.frameworks)) {
      for (const [index, entry] of spec.frameworks.entries()) {
        if (isJsonObject(entry) && (FRAMEWORKS as readonly unknown[]).includes(entry.framework) && typeof entry.id === 'string') {
          frameworks.push({ framework: entry.framework as FrameworkMapping['framework'], id: entry.id, ...(typeof entry.level === 'string' ? { level: entry.level } : {}) });
        } else problem(['spec', 'frameworks', index], `must be {framework: ${FRAMEWORKS.join('|')}, id: string}`);
      }
    }
    const version = parseKubernetesVersion(versionText);
    if (version === undefined) problem(['spec', 'kubernetesVersion'], 'must be 1.N or latest');
    const compileField = (key: string, source: string | undefined): Program | undefined => {
      if (source === undefined || version === undefined) return undefined;
      const compiled = compile(source, version, { variables: VARIABLES });
      const typeProblem = compiled.ok ? resultTypeProblem(compiled.program.outputType, key === 'expression' ? ['bool'] : ['string']) : undefined;
      if (compiled.ok && typeProblem === undefined) return compiled.program;
      if (typeProblem !== undefined) problem(['spec', key], `expression does not compile: ${typeProblem}`);
      else if (!compiled.ok) for (const error of compiled.errors) problem(['spec', key], `expression does not compile (line ${error.position.line}, column ${error.position.column}): ${error.message}`);
      return undefined;
    };
    const expression = compileField('expression', expressionText);
    const messageExpression = compileField('messageExpression', messageExpressionText);
    diagnostics.push(...problems);
    if (problems.length > 0 || id === undefined || title === undefined || expression === undefined) continue;
    seen.add(id);
    const celSpec: CelCheckSpec = { forEachContainer, kinds, expression, message: message ?? `${title} (${id})`, messageExpression };
    checks.push({
      meta: {
        id,
        title,
        severity,
        category: 'custom',
        description: typeof spec.description === 'string' ? spec.description : `Custom CEL check from ${object.source.file}: ${expressionText ?? ''}`,
        remediation: typeof spec.remediation === 'string' ? spec.remediation : message ?? title,
        frameworks,
        documentation: typeof spec.documentation === 'string' ? spec.documentation : object.source.file,
      },
      ...(forEachContainer ? { needsPod: true } : {}),
      ...(kinds.length > 0 ? { appliesTo: (candidate: KubeObject) => kinds.includes(candidate.kind) || kinds.includes('*') } : {}),
      run: (context) => runCelCheck(celSpec, context.object, context.pod),
    });
  }
  return { checks, diagnostics };
}
