/** `rampart rbac …`: can-i, who-can and permissions over the RBAC objects of the input. */
import type { Command } from 'commander';
import { loadFiles } from '../load/load.js';
import type { Diagnostic, KubeObject } from '../model/types.js';
import {
  buildPathGraph,
  findPaths,
  parseSubjectSpec,
  parseWorkloadSpec,
  PATH_TARGETS,
  PathInputBuilder,
  type PathSearchResult,
  type PathTarget,
} from '../rbac/paths.js';
import { pathJson, renderPathsDot, renderPathsMermaid, renderPathsTable } from '../rbac/pathsRender.js';
import { authorize, permissionsOf, whoCan } from '../rbac/authorize.js';
import { defaultClusterRoleNames, loadBootstrapPolicy, type BootstrapMetadata } from '../rbac/defaults/index.js';
import {
  bindingJson,
  describeBindingAt,
  describeGrant,
  describeGrantBrief,
  describeSubjectAt,
  describeUnresolved,
  grantJson,
  mergePermissions,
  ruleJson,
  subjectJson,
} from '../rbac/describe.js';
import { impersonatedUser, parseServiceAccountUsername, serviceAccountUser } from '../rbac/identity.js';
import { describeRequest, describeSubject, type AuthorizationRequest, type UserInfo } from '../rbac/model.js';
import { RbacPolicyBuilder, type RbacPolicy } from '../rbac/policy.js';
import { buildRequest } from '../rbac/request.js';
import { RISK_CATALOGUE } from '../rbac/riskCatalogue.js';
import { findRisks, type RiskFinding } from '../rbac/risks.js';
import { severityRank, type Severity } from '../model/types.js';
import { choice, parseSeverity, UsageError, writeOutput } from './common.js';

type Format = 'table' | 'json';

interface InputFlags {
  filename: string[];
  withDefaults?: boolean;
  format: Format;
}

interface IdentityFlags {
  as?: string;
  asGroup: string[];
  sa?: string;
}

interface QuestionFlags {
  name?: string;
  namespace?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];
/** Diagnostics printed in table mode before the rest are summarised. */
const MAX_PRINTED_DIAGNOSTICS = 20;

function addInputOptions(command: Command): Command {
  return command
    .option('-f, --filename <path>', 'files or directories to read (.yaml, .yml, .json), or - for stdin; repeatable', collect, [])
    .option('--with-defaults', 'add the default roles and bindings of the Kubernetes bootstrap policy (edit, view, admin, system:*)')
    .option('--format <format>', 'table or json', choice(['table', 'json'] as const), 'table');
}

function addIdentityOptions(command: Command): Command {
  return command
    .option('--as <user>', 'user to ask for, as kubectl --as (impersonation: system:authenticated is added)')
    .option('--as-group <group>', 'group of the --as user; repeatable', collect, [])
    .option('--sa <namespace:name>', 'service account to ask for');
}

function addQuestionOptions(command: Command): Command {
  return command.option('--name <name>', 'name of the object (resourceNames)').option('-n, --namespace <namespace>', 'namespace of the request; without it, the question is asked across all namespaces');
}

interface LoadedPolicy {
  readonly policy: RbacPolicy;
  readonly inputError: boolean;
  readonly defaults: BootstrapMetadata | undefined;
}

async function loadPolicy(flags: InputFlags, observe?: (object: KubeObject) => void): Promise<LoadedPolicy> {
  if (flags.filename.length === 0 && flags.withDefaults !== true) throw new UsageError('nothing to read: give -f PATH (repeatable) and/or --with-defaults');
  const builder = new RbacPolicyBuilder(flags.withDefaults === true ? {} : { defaultClusterRoleNames: defaultClusterRoleNames() });
  let defaults: BootstrapMetadata | undefined;
  if (flags.withDefaults === true) {
    const bootstrap = loadBootstrapPolicy();
    defaults = bootstrap.metadata;
    builder.addDiagnostics(bootstrap.diagnostics);
    for (const object of bootstrap.objects) builder.add(object, { isDefault: true });
  }
  let inputError = false;
  for await (const batch of loadFiles(flags.filename)) {
    builder.addDiagnostics(batch.diagnostics);
    if (batch.diagnostics.some((diagnostic) => diagnostic.code === 'path-not-found')) inputError = true;
    for (const object of batch.objects) {
      builder.add(object);
      observe?.(object);
    }
  }
  return { policy: builder.finish(), inputError, defaults };
}

function identityFrom(flags: IdentityFlags, required: true): UserInfo;
function identityFrom(flags: IdentityFlags, required: false): UserInfo | undefined;
function identityFrom(flags: IdentityFlags, required: boolean): UserInfo | undefined {
  if (flags.as !== undefined && flags.sa !== undefined) throw new UsageError('give either --as or --sa, not both');
  if (flags.asGroup.length > 0 && flags.as === undefined) throw new UsageError('--as-group needs --as (the API server refuses groups without a user)');
  if (flags.sa !== undefined) {
    const match = /^([^:\s]+):([^:\s]+)$/.exec(flags.sa);
    if (match === null) throw new UsageError(`--sa must be NAMESPACE:NAME, got ${JSON.stringify(flags.sa)}`);
    return serviceAccountUser(match[1]!, match[2]!);
  }
  if (flags.as !== undefined) {
    if (flags.as === '') throw new UsageError('--as needs a user name');
    return impersonatedUser(flags.as, flags.asGroup);
  }
  if (required) throw new UsageError('say who is asking: --as USER [--as-group GROUP]... or --sa NAMESPACE:NAME');
  return undefined;
}

function requestFrom(verb: string, resource: string, flags: QuestionFlags, policy: RbacPolicy): { request: AuthorizationRequest; notes: readonly string[] } {
  const question = { verb, resource, ...(flags.name === undefined ? {} : { name: flags.name }), ...(flags.namespace === undefined ? {} : { namespace: flags.namespace }) };
  const built = buildRequest(question, policy);
  if ('error' in built) throw new UsageError(built.error);
  return built;
}

function formatDiagnostic(diagnostic: Diagnostic): string {
  const where = diagnostic.line === undefined ? diagnostic.file : `${diagnostic.file}:${diagnostic.line}`;
  return `${where}: ${diagnostic.severity} ${diagnostic.code}: ${diagnostic.message}`;
}

/** Notes and diagnostics go to stderr in table mode, so stdout starts with the answer. */
function reportSideNotes(notes: readonly string[], diagnostics: readonly Diagnostic[]): void {
  const lines = notes.map((note) => `note: ${note}`);
  for (const diagnostic of diagnostics.slice(0, MAX_PRINTED_DIAGNOSTICS)) lines.push(formatDiagnostic(diagnostic));
  if (diagnostics.length > MAX_PRINTED_DIAGNOSTICS) lines.push(`… and ${diagnostics.length - MAX_PRINTED_DIAGNOSTICS} more diagnostics (--format json lists them all)`);
  if (lines.length > 0) process.stderr.write(`${lines.join('\n')}\n`);
}

function defaultsJson(defaults: BootstrapMetadata | undefined): unknown {
  return defaults === undefined ? undefined : { kubernetesVersion: defaults.kubernetesVersion, supplemented: defaults.supplemented };
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

export function registerRbacCommand(program: Command, setExitCode: (code: number) => void): void {
  const rbac = program.command('rbac').description('answer RBAC questions exactly as the Kubernetes RBAC authorizer would: can-i, who-can, permissions, risks, escalation paths');

  addInputOptions(addIdentityOptions(addQuestionOptions(rbac.command('can-i'))))
    .description('can this user or service account do this? Prints yes or no first (exit 0 or 1), then the rules that allow it')
    .argument('<verb>', 'get, list, watch, create, update, patch, delete, deletecollection, impersonate, bind, escalate, use, …')
    .argument('<resource>', 'RESOURCE[.GROUP][/SUBRESOURCE] (pods, deployments.apps, pods/exec), or a non-resource URL starting with /')
    .action(async (verb: string, resource: string, flags: InputFlags & IdentityFlags & QuestionFlags) => {
      const user = identityFrom(flags, true);
      const loaded = await loadPolicy(flags);
      const { request, notes } = requestFrom(verb, resource, flags, loaded.policy);
      const decision = authorize(loaded.policy, user, request);
      if (flags.format === 'json') {
        await writeOutput(
          json({
            allowed: decision.allowed,
            reason: decision.systemMasters ? 'system:masters' : decision.allowed ? 'rbac' : 'no rule allows it',
            request,
            user,
            grants: decision.grants.map(grantJson),
            unresolvedBindings: decision.unresolvedBindings.map((binding) => ({ ...bindingJson(binding), roleRef: binding.roleRef })),
            notes,
            defaults: defaultsJson(loaded.defaults),
            diagnostics: loaded.policy.diagnostics,
          }),
          undefined,
        );
      } else {
        const lines = [decision.allowed ? 'yes' : 'no'];
        if (decision.systemMasters) lines.push(`  ${user.name} is in group system:masters, which the API server allows before RBAC`);
        for (const grant of decision.grants) lines.push(`  ${describeSubjectAt(grant.subject, grant.binding)} via ${describeGrant(grant)}`);
        if (!decision.allowed) lines.push(`  no rule allows ${describeRequest(request)} for ${describeIdentity(user)}`);
        for (const binding of decision.unresolvedBindings) lines.push(`  incomplete: ${describeUnresolved(binding)}; it names this user and might allow it`);
        await writeOutput(`${lines.join('\n')}\n`, undefined);
        reportSideNotes(notes, loaded.policy.diagnostics);
      }
      setExitCode(loaded.inputError ? 2 : decision.allowed ? 0 : 1);
    });

  addInputOptions(addQuestionOptions(rbac.command('who-can')))
    .description('list every subject that can do this, with the binding, role and rule that grant it')
    .argument('<verb>', 'verb, as for can-i')
    .argument('<resource>', 'RESOURCE[.GROUP][/SUBRESOURCE] or a non-resource URL, as for can-i')
    .action(async (verb: string, resource: string, flags: InputFlags & QuestionFlags) => {
      const loaded = await loadPolicy(flags);
      const { request, notes } = requestFrom(verb, resource, flags, loaded.policy);
      const result = whoCan(loaded.policy, request);
      if (flags.format === 'json') {
        await writeOutput(
          json({
            request,
            subjects: result.entries.map((entry) => ({
              ...subjectJson(entry.subject, entry.grants[0]?.binding),
              systemMasters: entry.systemMasters,
              grants: entry.grants.map(grantJson),
            })),
            unresolvedBindings: result.unresolvedBindings.map((binding) => ({ ...bindingJson(binding), roleRef: binding.roleRef })),
            notes,
            defaults: defaultsJson(loaded.defaults),
            diagnostics: loaded.policy.diagnostics,
          }),
          undefined,
        );
      } else {
        const lines = [`who can ${describeRequest(request)}:`];
        for (const entry of result.entries) {
          lines.push(`  ${describeSubject(entry.subject)}`);
          if (entry.systemMasters) lines.push('      system:masters is allowed everything before RBAC is consulted');
          for (const grant of entry.grants) lines.push(`      ${describeGrant(grant)}`);
        }
        for (const binding of result.unresolvedBindings) lines.push(`  incomplete: ${describeUnresolved(binding)}; its subjects might also be able to`);
        await writeOutput(`${lines.join('\n')}\n`, undefined);
        reportSideNotes(notes, loaded.policy.diagnostics);
      }
      if (loaded.inputError) setExitCode(2);
    });

  addInputOptions(addIdentityOptions(rbac.command('permissions')))
    .description('list the effective permissions of a user or service account, merged by resource')
    .option('-n, --namespace <namespace>', 'only cluster-wide permissions and those of this namespace')
    .action(async (flags: InputFlags & IdentityFlags & { namespace?: string }) => {
      const user = identityFrom(flags, true);
      const loaded = await loadPolicy(flags);
      const permissions = permissionsOf(loaded.policy, user, flags.namespace);
      const rows = mergePermissions(permissions);
      if (flags.format === 'json') {
        await writeOutput(
          json({
            user,
            systemMasters: permissions.systemMasters,
            permissions: rows,
            grants: permissions.grants.map((grant) => ({
              scope: grant.scope === '' ? 'cluster' : grant.scope,
              binding: bindingJson(grant.binding),
              subject: subjectJson(grant.subject, grant.binding),
              role: { kind: grant.role.kind, name: grant.role.name, ...(grant.role.namespace === undefined ? {} : { namespace: grant.role.namespace }) },
            })),
            unresolvedBindings: permissions.unresolvedBindings.map((binding) => ({ ...bindingJson(binding), roleRef: binding.roleRef })),
            defaults: defaultsJson(loaded.defaults),
            diagnostics: loaded.policy.diagnostics,
          }),
          undefined,
        );
      } else {
        const lines = [`permissions of ${describeIdentity(user)}`];
        if (permissions.systemMasters) lines.push('  everything: system:masters is allowed every request before RBAC is consulted');
        let scope: string | undefined;
        const width = Math.min(48, Math.max(8, ...rows.map((row) => row.target.length)));
        for (const row of rows) {
          if (row.scope !== scope) {
            scope = row.scope;
            lines.push(scope === '' ? 'cluster-wide (every namespace):' : `namespace ${scope}:`);
          }
          const names = row.resourceNames.length === 0 ? '' : ` named ${row.resourceNames.join(', ')}`;
          lines.push(`  ${row.target.padEnd(width)}  ${row.verbs.join(' ')}${names}`);
          lines.push(`  ${''.padEnd(width)}    via ${row.via.join('; ')}`);
        }
        if (rows.length === 0 && !permissions.systemMasters) lines.push('  none');
        for (const binding of permissions.unresolvedBindings) lines.push(`  incomplete: ${describeUnresolved(binding)}`);
        await writeOutput(`${lines.join('\n')}\n`, undefined);
        reportSideNotes([], loaded.policy.diagnostics);
      }
      if (loaded.inputError) setExitCode(2);
    });

  addInputOptions(rbac.command('risks'))
    .description(`report subjects holding dangerous permissions (${RISK_CATALOGUE.length} primitives: secrets, pod creation, exec, nodes/proxy, escalate, bind, impersonate, tokens, CSRs, webhooks, wildcards, …)`)
    .option('--include-defaults', 'also report what the bootstrap policy itself grants (hidden by default)')
    .option('--min-severity <severity>', 'report only findings at or above this severity (default: low)', parseSeverity)
    .option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity (default: high)', parseSeverity)
    .option('--list', 'list the catalogue of primitives and exit')
    .action(async (flags: InputFlags & { includeDefaults?: boolean; minSeverity?: Severity; failOn?: Severity; list?: boolean }) => {
      if (flags.list === true) {
        const catalogue = RISK_CATALOGUE.map((primitive) => ({ id: primitive.id, title: primitive.title, severity: primitive.severity, description: primitive.description, mitre: primitive.mitre }));
        const text =
          flags.format === 'json'
            ? json({ primitives: catalogue })
            : `${catalogue.map((primitive) => `${primitive.id.padEnd(34)} ${primitive.severity.padEnd(8)} ${primitive.title}`).join('\n')}\n`;
        await writeOutput(text, undefined);
        return;
      }
      const loaded = await loadPolicy(flags);
      const minimum = flags.minSeverity ?? 'low';
      const findings = findRisks(loaded.policy, { includeDefaults: flags.includeDefaults === true }).filter((finding) => severityRank(finding.primitive.severity) >= severityRank(minimum));
      if (flags.format === 'json') {
        await writeOutput(
          json({
            findings: findings.map(riskJson),
            summary: summarise(findings),
            defaults: defaultsJson(loaded.defaults),
            diagnostics: loaded.policy.diagnostics,
          }),
          undefined,
        );
      } else {
        await writeOutput(renderRisks(findings), undefined);
        reportSideNotes([], loaded.policy.diagnostics);
      }
      const failOn = flags.failOn ?? 'high';
      if (loaded.inputError) setExitCode(2);
      else if (findings.some((finding) => severityRank(finding.primitive.severity) >= severityRank(failOn))) setExitCode(1);
    });

  registerPathsCommand(rbac, setExitCode);
}

function registerPathsCommand(rbac: Command, setExitCode: (code: number) => void): void {
  rbac
    .command('paths')
    .description('find multi-hop escalation paths to cluster-admin, every Secret or a node, shortest first, with the rule, binding or object behind every step')
    .option('-f, --filename <path>', 'files or directories to read (.yaml, .yml, .json), or - for stdin; repeatable', collect, [])
    .option('--with-defaults', 'add the default roles and bindings of the Kubernetes bootstrap policy (edit, view, admin, system:*)')
    .option('--format <format>', 'table, json, dot or mermaid', choice(['table', 'json', 'dot', 'mermaid'] as const), 'table')
    .option('--from <subject>', 'start from this subject: user:NAME, group:NAME or sa:NAMESPACE/NAME')
    .option('--from-workload <workload>', 'start from this compromised workload: KIND/NAMESPACE/NAME (pod/shop/web, deployment/shop/api)')
    .option('--to <target>', 'cluster-admin, secrets or nodes (default: all three)', choice(PATH_TARGETS))
    .option('--limit <n>', 'show at most this many paths per target (default 50)', (value: string) => {
      const parsed = Number(value);
      if (!Number.isInteger(parsed) || parsed < 1) throw new UsageError(`--limit must be a positive integer, got ${JSON.stringify(value)}`);
      return parsed;
    })
    .option('--include-default-subjects', 'with --with-defaults: also start from the subjects of the bootstrap bindings (system components)')
    .option('--fail-on-path', 'exit 1 when any path is found')
    .action(
      async (flags: {
        filename: string[];
        withDefaults?: boolean;
        format: 'table' | 'json' | 'dot' | 'mermaid';
        from?: string;
        fromWorkload?: string;
        to?: PathTarget;
        limit?: number;
        includeDefaultSubjects?: boolean;
        failOnPath?: boolean;
      }) => {
        if (flags.from !== undefined && flags.fromWorkload !== undefined) throw new UsageError('give either --from or --from-workload, not both');
        let start: string | undefined;
        let identity: string | undefined;
        if (flags.from !== undefined) {
          const parsed = parseSubjectSpec(flags.from);
          if (typeof parsed !== 'string') throw new UsageError(parsed.error);
          start = parsed;
          identity = parsed;
        } else if (flags.fromWorkload !== undefined) {
          const parsed = parseWorkloadSpec(flags.fromWorkload);
          if (typeof parsed !== 'string') throw new UsageError(parsed.error);
          start = parsed;
        }
        const inputs = new PathInputBuilder();
        const loaded = await loadPolicy({ filename: flags.filename, ...(flags.withDefaults === true ? { withDefaults: true } : {}), format: 'table' }, (object) => inputs.add(object));
        const graph = buildPathGraph(loaded.policy, inputs.finish(), { includeDefaultSubjects: flags.includeDefaultSubjects === true, ...(identity === undefined ? {} : { identities: [identity] }) });
        const notes: string[] = [];
        if (start !== undefined && !graph.vertices.has(start)) {
          notes.push(`${flags.fromWorkload ?? ''} is not a pod-bearing object of the input`);
        }
        const targets = flags.to === undefined ? PATH_TARGETS : [flags.to];
        const limit = flags.limit ?? 50;
        const results: PathSearchResult[] = targets.map((target) => findPaths(graph, { target, limit, ...(start === undefined ? {} : { from: [start] }) }));
        const labelOf = (id: string): string => graph.vertices.get(id)?.label ?? id;
        if (flags.format === 'json') {
          await writeOutput(
            json({
              targets: results.map((result) => ({ target: result.target, total: result.total, paths: result.paths.map((path) => pathJson(path, labelOf)) })),
              graph: { vertices: graph.vertices.size, edges: graph.edgeCount },
              notes,
              defaults: defaultsJson(loaded.defaults),
              diagnostics: loaded.policy.diagnostics,
            }),
            undefined,
          );
        } else {
          const render = flags.format === 'dot' ? renderPathsDot : flags.format === 'mermaid' ? renderPathsMermaid : renderPathsTable;
          await writeOutput(render(results, labelOf), undefined);
          reportSideNotes(notes, loaded.policy.diagnostics);
        }
        if (loaded.inputError) setExitCode(2);
        else if (flags.failOnPath === true && results.some((result) => result.total > 0)) setExitCode(1);
      },
    );
}

function riskJson(finding: RiskFinding): unknown {
  return {
    id: finding.primitive.id,
    title: finding.primitive.title,
    severity: finding.primitive.severity,
    scope: finding.scope === '' ? 'cluster' : finding.scope,
    subject: subjectJson(finding.subject, finding.evidence[0]?.binding),
    broadSubject: finding.broadSubject,
    ...(finding.onlyNames === undefined ? {} : { onlyNames: finding.onlyNames }),
    fromDefaultsOnly: finding.fromDefaultsOnly,
    mitre: finding.primitive.mitre,
    evidence: finding.evidence.map((piece) => ({
      binding: bindingJson(piece.binding),
      ...(piece.role === undefined ? {} : { role: { kind: piece.role.kind, name: piece.role.name, ...(piece.role.namespace === undefined ? {} : { namespace: piece.role.namespace }) } }),
      ...(piece.rule === undefined ? {} : { rule: ruleJson(piece.rule) }),
    })),
  };
}

function summarise(findings: readonly RiskFinding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const finding of findings) counts[finding.primitive.severity]++;
  return counts;
}

/** Grouped by primitive, most severe first; each subject with its scope and the rules that give it the primitive. */
function renderRisks(findings: readonly RiskFinding[]): string {
  if (findings.length === 0) return 'no dangerous RBAC primitives found\n';
  const lines: string[] = [];
  let current: string | undefined;
  for (const finding of findings) {
    if (finding.primitive.id !== current) {
      current = finding.primitive.id;
      if (lines.length > 0) lines.push('');
      lines.push(`${finding.primitive.severity.toUpperCase().padEnd(8)} ${finding.primitive.id}  ${finding.primitive.title}`);
      lines.push(`         ${finding.primitive.description}`);
    }
    const scope = finding.scope === '' ? 'cluster-wide' : `in namespace ${finding.scope}`;
    const qualifiers = [finding.broadSubject ? 'everyone in this group' : undefined, finding.onlyNames === undefined ? undefined : `only ${finding.onlyNames.join(', ')}`]
      .filter((text) => text !== undefined)
      .join('; ');
    lines.push(`  ${describeSubject(finding.subject)} ${scope}${qualifiers === '' ? '' : ` (${qualifiers})`}`);
    for (const piece of finding.evidence) {
      lines.push(`      ${piece.rule !== undefined && piece.role !== undefined ? describeGrantBrief({ binding: piece.binding, role: piece.role, rule: piece.rule }) : describeBindingAt(piece.binding)}`);
    }
  }
  const summary = summarise(findings);
  lines.push('', `${findings.length} findings: ${(Object.keys(summary) as Severity[]).filter((severity) => summary[severity] > 0).map((severity) => `${summary[severity]} ${severity}`).join(', ')}`);
  return `${lines.join('\n')}\n`;
}

function describeIdentity(user: UserInfo): string {
  const serviceAccount = parseServiceAccountUsername(user.name);
  const who = serviceAccount === undefined ? `user ${user.name}` : `service account ${serviceAccount.namespace}/${serviceAccount.name}`;
  return `${who} (groups: ${user.groups.join(', ')})`;
}
