/**
 * `rampart audit2rbac audit.log... (--user U | --sa NS:NAME | --all-service-accounts) [--rbac FILE...]`:
 * the smallest Roles, ClusterRoles and bindings that allow what the identities
 * did successfully, with coverage, and the granted permissions never used.
 */
import { createReadStream } from 'node:fs';
import type { Command } from 'commander';
import { UsageError, writeOutput } from './common.js';

interface Audit2RbacFlags {
  user?: string;
  sa?: string;
  allServiceAccounts?: boolean;
  rbac: string[];
  output?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerAudit2RbacCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('audit2rbac')
    .description('least-privilege RBAC from audit logs: the smallest Roles/ClusterRoles and bindings allowing every request the identities made successfully')
    .argument('<audit-log...>', 'audit logs (JSON lines)')
    .option('--user <name>', 'the requests of this user')
    .option('--sa <namespace:name>', 'the requests of this service account')
    .option('--all-service-accounts', 'every service account in the logs, each with its own roles')
    .option('--rbac <file>', 'current RBAC (manifests, repeatable): report what it grants the identities that they never used', collect, [])
    .option('-o, --output <file>', 'write the generated YAML here instead of stdout')
    .action(async (files: string[], flags: Audit2RbacFlags) => {
      const chosen = [flags.user !== undefined, flags.sa !== undefined, flags.allServiceAccounts === true].filter(Boolean).length;
      if (chosen !== 1) throw new UsageError('give exactly one of --user, --sa and --all-service-accounts');
      const { RequestCollector, coverage, describeRule, generateRbac, policyFromObjects, unusedGrants } = await import('../detect/audit2rbac.js');
      const { readStream } = await import('../detect/ingest.js');
      let selection: import('../detect/audit2rbac.js').IdentitySelection;
      if (flags.user !== undefined) selection = { kind: 'user', name: flags.user };
      else if (flags.sa !== undefined) {
        const [namespace, name, ...rest] = flags.sa.split(':');
        if (namespace === undefined || name === undefined || namespace === '' || name === '' || rest.length > 0) throw new UsageError(`--sa must be NAMESPACE:NAME, got ${JSON.stringify(flags.sa)}`);
        selection = { kind: 'serviceAccount', namespace, name };
      } else selection = { kind: 'allServiceAccounts' };
      const collector = new RequestCollector(selection);
      let malformed = 0;
      for (const file of files) {
        try {
          await readStream(createReadStream(file), file, (result) => {
            if (result.kind === 'event') collector.add(result.event);
            else if (result.kind === 'malformed') {
              malformed++;
              process.stderr.write(`rampart: ${result.malformed.source}:${result.malformed.line}: malformed audit event: ${result.malformed.reason}\n`);
            }
          });
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code !== undefined) throw new UsageError(`cannot read ${file} (${code})`);
          throw error;
        }
      }
      let current: import('../rbac/policy.js').RbacPolicy | undefined;
      if (flags.rbac.length > 0) {
        const { loadFiles } = await import('../load/load.js');
        const { buildRbacPolicy } = await import('../rbac/policy.js');
        const objects = [];
        for await (const batch of loadFiles(flags.rbac)) {
          objects.push(...batch.objects);
          for (const diagnostic of batch.diagnostics) if (diagnostic.severity === 'error') throw new UsageError(`${diagnostic.file}${diagnostic.line !== undefined ? `:${diagnostic.line}` : ''}: ${diagnostic.message}`);
        }
        current = buildRbacPolicy(objects);
      }
      const documents: Record<string, unknown>[] = [];
      if (collector.identities.size === 0) process.stderr.write('rampart audit2rbac: no request of the selected identities in the logs\n');
      for (const identity of [...collector.identities.values()].sort((a, b) => a.name.localeCompare(b.name))) {
        const objects = generateRbac(identity);
        documents.push(...objects);
        const result = coverage(policyFromObjects(objects), identity);
        const percent = result.total === 0 ? 100 : (100 * result.allowed) / result.total;
        process.stderr.write(`${identity.name}: ${objects.length / 2} role(s); coverage ${result.allowed}/${result.total} distinct requests (${percent.toFixed(1)}%); ${identity.denied} denied request(s) excluded\n`);
        if (current !== undefined) {
          const unused = unusedGrants(current, identity);
          process.stderr.write(unused.length === 0 ? '  every rule the current RBAC grants it was used\n' : `  granted but never used (${unused.length}):\n`);
          for (const grant of unused) process.stderr.write(`    ${grant.role} via ${grant.binding} (${grant.scope}): ${describeRule(grant.rule)}\n`);
        }
      }
      const { stringify } = await import('yaml');
      await writeOutput(documents.map((document) => stringify(document)).join('---\n'), flags.output);
      if (malformed > 0) setExitCode(2);
    });
}
