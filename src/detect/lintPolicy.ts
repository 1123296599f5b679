/**
 * `rampart detect lint-policy`: which enabled rules cannot fire under an
 * audit policy, and the policy rules that would let them.
 *
 * For each detection rule, each (verb, resource) it matches is put to the
 * policy as the API server would (first matching policy rule wins; users,
 * groups and namespaces restrictions of a policy rule are assumed not to
 * cover an arbitrary requester, so a restricted rule is skipped). The rule
 * is blind when the level is None, when the level is below what its
 * condition reads (the request body needs Request, the response body
 * RequestResponse), or when every stage it matches is omitted.
 */
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { isJsonObject, type JsonObject } from '../model/types.js';
import { findBuiltinResource } from '../rbac/builtinResources.js';
import { POD_TEMPLATE_PATHS } from './event.js';
import type { DetectionRule } from './rules.js';

export class AuditPolicyError extends Error {}

export type AuditLevel = 'None' | 'Metadata' | 'Request' | 'RequestResponse';
const LEVELS: readonly AuditLevel[] = ['None', 'Metadata', 'Request', 'RequestResponse'];
const ALL_STAGES = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'];

interface PolicyResource {
  readonly group: string;
  readonly resources: readonly string[];
  readonly resourceNames: readonly string[];
}

export interface AuditPolicyRule {
  readonly index: number;
  readonly level: AuditLevel;
  readonly users: readonly string[];
  readonly userGroups: readonly string[];
  readonly verbs: readonly string[];
  readonly resources: readonly PolicyResource[] | undefined;
  readonly namespaces: readonly string[];
  readonly nonResourceURLs: readonly string[];
  readonly omitStages: readonly string[];
}

export interface AuditPolicy {
  readonly file: string;
  readonly omitStages: readonly string[];
  readonly rules: readonly AuditPolicyRule[];
}

function strings(value: unknown, where: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) throw new AuditPolicyError(`${where} must be a list of strings`);
  return value as string[];
}

export function parseAuditPolicy(text: string, file: string): AuditPolicy {
  const documents = parseAllDocuments(text);
  const list = Array.isArray(documents) ? documents : [documents];
  const document = list.find((item) => isJsonObject(item.toJS()));
  if (document === undefined) throw new AuditPolicyError(`${file}: no audit policy found`);
  const error = document.errors[0];
  if (error !== undefined) throw new AuditPolicyError(`${file}:${error.linePos?.[0].line ?? 1}: not valid YAML: ${error.message.split('\n')[0] ?? ''}`);
  const value = document.toJS({ maxAliasCount: 100 }) as JsonObject;
  if (value.kind !== 'Policy' || typeof value.apiVersion !== 'string' || !value.apiVersion.startsWith('audit.k8s.io/')) throw new AuditPolicyError(`${file}: expected kind Policy and apiVersion audit.k8s.io/v1`);
  if (!Array.isArray(value.rules)) throw new AuditPolicyError(`${file}: rules must be a list`);
  const rules = value.rules.map((rule, index): AuditPolicyRule => {
    const where = `${file}: rules[${index}]`;
    if (!isJsonObject(rule)) throw new AuditPolicyError(`${where} must be a mapping`);
    if (typeof rule.level !== 'string' || !(LEVELS as readonly string[]).includes(rule.level)) throw new AuditPolicyError(`${where}.level must be None, Metadata, Request or RequestResponse`);
    let resources: PolicyResource[] | undefined;
    if (rule.resources !== undefined) {
      if (!Array.isArray(rule.resources)) throw new AuditPolicyError(`${where}.resources must be a list`);
      resources = rule.resources.map((item, position) => {
        if (!isJsonObject(item)) throw new AuditPolicyError(`${where}.resources[${position}] must be a mapping`);
        return { group: typeof item.group === 'string' ? item.group : '', resources: strings(item.resources, `${where}.resources[${position}].resources`), resourceNames: strings(item.resourceNames, `${where}.resources[${position}].resourceNames`) };
      });
    }
    return {
      index,
      level: rule.level as AuditLevel,
      users: strings(rule.users, `${where}.users`),
      userGroups: strings(rule.userGroups, `${where}.userGroups`),
      verbs: strings(rule.verbs, `${where}.verbs`),
      resources,
      namespaces: strings(rule.namespaces, `${where}.namespaces`),
      nonResourceURLs: strings(rule.nonResourceURLs, `${where}.nonResourceURLs`),
      omitStages: strings(rule.omitStages, `${where}.omitStages`),
    };
  });
  return { file, omitStages: strings(value.omitStages, `${file}: omitStages`), rules };
}

export function readAuditPolicy(file: string): AuditPolicy {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new AuditPolicyError(`cannot read ${file}`);
  }
  return parseAuditPolicy(text, file);
}

/** A request shape put to the policy. */
interface Probe {
  readonly verb: string;
  readonly group: string | undefined;
  readonly resource: string;
  readonly subresource: string;
  readonly user: string | undefined;
}

function resourceMatches(policyResource: PolicyResource, probe: Probe): boolean {
  if (probe.group !== undefined && policyResource.group !== probe.group) return false;
  if (policyResource.resourceNames.length > 0) return false;
  if (policyResource.resources.length === 0) return true;
  const full = probe.subresource === '' ? probe.resource : `${probe.resource}/${probe.subresource}`;
  return policyResource.resources.some(
    (item) => item === '*' || item === full || (probe.subresource !== '' && (item === `*/${probe.subresource}` || item === `${probe.resource}/*`)),
  );
}

/** The first policy rule that matches the probe, as the API server's policy checker picks it. */
export function policyRuleFor(policy: AuditPolicy, probe: Probe): AuditPolicyRule | undefined {
  return policy.rules.find((rule) => {
    if (rule.users.length > 0 && (probe.user === undefined || !rule.users.includes(probe.user))) return false;
    if (rule.userGroups.length > 0 && !rule.userGroups.includes('system:authenticated')) return false;
    if (rule.verbs.length > 0 && !rule.verbs.includes(probe.verb) && !rule.verbs.includes('*')) return false;
    if (rule.namespaces.length > 0) return false;
    if (rule.nonResourceURLs.length > 0 && rule.resources === undefined) return false;
    if (rule.resources !== undefined && !rule.resources.some((item) => resourceMatches(item, probe))) return false;
    return true;
  });
}

const BODY_VARIABLES = /\b(object|pod|containers|hostPaths|images|requestObject|patchOperations|partial)\b/;
const RESPONSE_VARIABLES = /\bresponseObject\b/;

function withoutStrings(source: string): string {
  return source.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, "''");
}

/** The audit level a rule's condition needs: the request body for the object, the response for responseObject. */
export function requiredLevel(rule: DetectionRule): AuditLevel {
  const sources = [rule.condition, ...rule.exceptions.map((exception) => exception.condition)].map(withoutStrings).join('\n');
  if (RESPONSE_VARIABLES.test(sources)) return 'RequestResponse';
  // The token rules learn pod deletions and node addresses from metadata only.
  if (BODY_VARIABLES.test(sources)) return 'Request';
  return 'Metadata';
}

function probesFor(rule: DetectionRule): Probe[] {
  const verbs = rule.match.verbs.length > 0 ? rule.match.verbs : ['get'];
  const resources = rule.match.resources.length > 0 ? rule.match.resources.flatMap((resource) => (resource === 'workloads' ? Object.keys(POD_TEMPLATE_PATHS) : [resource])) : ['*'];
  const user = rule.match.users[0];
  const probes: Probe[] = [];
  for (const verb of verbs) {
    for (const item of resources) {
      const [resource = '', subresource = ''] = item.split('/');
      const group = resource === '*' ? undefined : findBuiltinResource(resource)?.group;
      probes.push({ verb, group, resource: resource === '*' ? 'pods' : resource, subresource: subresource === '*' ? 'exec' : subresource, user });
    }
  }
  return probes;
}

export interface BlindSpot {
  readonly ruleId: string;
  readonly title: string;
  readonly reason: string;
  readonly verb: string;
  readonly resource: string;
  readonly policyRule: number | undefined;
}

export interface LintResult {
  readonly policy: string;
  readonly rulesChecked: number;
  readonly blind: readonly BlindSpot[];
  /** Policy rules to put at the top of the policy's rules (first match wins). */
  readonly proposedRules: readonly JsonObject[];
}

export function lintAuditPolicy(policy: AuditPolicy, rules: readonly DetectionRule[]): LintResult {
  const blind: BlindSpot[] = [];
  const proposals = new Map<string, { level: AuditLevel; verbs: Set<string>; group: string; resources: Set<string> }>();
  for (const rule of rules) {
    const needed = requiredLevel(rule);
    for (const probe of probesFor(rule)) {
      const matched = policyRuleFor(policy, probe);
      const level = matched?.level ?? 'None';
      const omitted = new Set([...policy.omitStages, ...(matched?.omitStages ?? [])]);
      const stages = rule.match.stages.filter((stage) => ALL_STAGES.includes(stage));
      const resourceText = probe.subresource === '' ? probe.resource : `${probe.resource}/${probe.subresource}`;
      let reason: string | undefined;
      if (level === 'None') reason = matched === undefined ? `no policy rule matches ${probe.verb} ${resourceText}, so it is not logged` : `policy rule ${matched.index} logs ${probe.verb} ${resourceText} at level None`;
      else if (LEVELS.indexOf(level) < LEVELS.indexOf(needed)) reason = `policy rule ${matched!.index} logs ${probe.verb} ${resourceText} at ${level}; the rule reads the ${needed === 'RequestResponse' ? 'response body and needs RequestResponse' : 'request body and needs Request'}`;
      else if (stages.every((stage) => omitted.has(stage))) reason = `stage${stages.length > 1 ? 's' : ''} ${stages.join(', ')} omitted for ${probe.verb} ${resourceText}`;
      if (reason === undefined) continue;
      blind.push({ ruleId: rule.id, title: rule.title, reason, verb: probe.verb, resource: resourceText, policyRule: matched?.index });
      const proposedLevel = needed === 'Metadata' ? 'Metadata' : needed;
      const group = probe.group ?? '';
      const key = `${proposedLevel}|${group}`;
      const entry = proposals.get(key) ?? { level: proposedLevel, verbs: new Set<string>(), group, resources: new Set<string>() };
      if (rule.match.verbs.length > 0) entry.verbs.add(probe.verb);
      else entry.verbs.add('*');
      entry.resources.add(resourceText);
      proposals.set(key, entry);
    }
  }
  const proposedRules = [...proposals.values()].map((entry) => {
    const proposed: JsonObject = { level: entry.level };
    if (!entry.verbs.has('*')) proposed.verbs = [...entry.verbs].sort();
    proposed.resources = [{ group: entry.group, resources: [...entry.resources].sort() }];
    proposed.omitStages = ['RequestReceived'];
    return proposed;
  });
  return { policy: policy.file, rulesChecked: rules.length, blind, proposedRules };
}

export function renderLintText(result: LintResult): string {
  const lines: string[] = [];
  const byRule = new Map<string, BlindSpot[]>();
  for (const spot of result.blind) byRule.set(spot.ruleId, [...(byRule.get(spot.ruleId) ?? []), spot]);
  lines.push(`${result.policy}: ${byRule.size} of ${result.rulesChecked} enabled rules cannot fire (or not for every request they watch)`);
  for (const [ruleId, spots] of byRule) {
    lines.push(`  ${ruleId} (${spots[0]!.title})`);
    for (const spot of spots.slice(0, 4)) lines.push(`    - ${spot.reason}`);
    if (spots.length > 4) lines.push(`    - … and ${spots.length - 4} more request kinds`);
  }
  if (result.proposedRules.length > 0) {
    lines.push('', 'Add these rules at the top of the policy (first match wins):');
    for (const rule of result.proposedRules) lines.push(`  - ${JSON.stringify(rule)}`);
    if (result.proposedRules.some((rule) => rule.level !== 'Metadata' && JSON.stringify(rule.resources).includes('"secrets"'))) {
      lines.push('Note: Secrets at Request level put their data in the audit log; keep the log as secret as the Secrets, or accept the blind rule.');
    }
  }
  return `${lines.join('\n')}\n`;
}
