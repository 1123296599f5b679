/**
 * The RBAC index: every Role, ClusterRole, RoleBinding and ClusterRoleBinding
 * of the input, with aggregation resolved and each binding's role looked up
 * once. Built incrementally from loader batches, so only RBAC objects (and the
 * few facts the answers need) are kept.
 */
import { locate, isJsonObject, type Diagnostic, type DiagnosticSeverity, type FieldPath, type KubeObject } from '../model/types.js';
import { aggregateClusterRoles } from './aggregate.js';
import { describeBinding, roleKey, type BindingEntry, type RoleEntry } from './model.js';
import { apiGroupOf, isRbacBinding, isRbacRole, parseBinding, parseRole, type Diagnose } from './parse.js';

export interface CustomResource {
  readonly group: string;
  readonly resource: string;
  readonly namespaced: boolean;
}

export interface RbacPolicy {
  readonly roles: ReadonlyMap<string, RoleEntry>;
  readonly clusterRoleBindings: readonly BindingEntry[];
  readonly roleBindingsByNamespace: ReadonlyMap<string, readonly BindingEntry[]>;
  /** Custom resources defined by CustomResourceDefinitions in the input, by plural. */
  readonly customResources: ReadonlyMap<string, CustomResource>;
  /** Namespaces named anywhere in the input (objects, bindings, subjects). */
  readonly namespaces: ReadonlySet<string>;
  /** ServiceAccount objects in the input, as `namespace/name`. */
  readonly serviceAccounts: ReadonlySet<string>;
  readonly diagnostics: readonly Diagnostic[];
  /** The role a binding refers to, or undefined when it is not in the input (or the reference is invalid). */
  roleFor(binding: BindingEntry): RoleEntry | undefined;
}

export interface RbacPolicyOptions {
  /** Names of the bootstrap ClusterRoles, for a hint when a binding references one that is not loaded. */
  readonly defaultClusterRoleNames?: ReadonlySet<string>;
}

interface AddOptions {
  /** Objects of the built-in bootstrap policy: user objects with the same name replace them silently. */
  readonly isDefault?: boolean;
}

export class RbacPolicyBuilder {
  private readonly roles = new Map<string, RoleEntry>();
  private readonly bindings = new Map<string, BindingEntry>();
  private readonly customResources = new Map<string, CustomResource>();
  private readonly namespaces = new Set<string>();
  private readonly serviceAccounts = new Set<string>();
  private readonly diagnostics: Diagnostic[] = [];

  constructor(private readonly options: RbacPolicyOptions = {}) {}

  private readonly diagnose: Diagnose = (object, path, code, message, severity = 'warning') => {
    this.diagnostics.push(diagnosticAt(object, path, code, message, severity));
  };

  addDiagnostics(diagnostics: readonly Diagnostic[]): void {
    this.diagnostics.push(...diagnostics);
  }

  add(object: KubeObject, options: AddOptions = {}): void {
    const isDefault = options.isDefault === true;
    if (object.namespace !== undefined) this.namespaces.add(object.namespace);
    if (isRbacRole(object)) {
      const role = parseRole(object, isDefault, this.diagnose);
      if (role.namespace !== undefined) this.namespaces.add(role.namespace);
      this.keep(this.roles, roleKey(role.kind, role.namespace, role.name), role);
    } else if (isRbacBinding(object)) {
      const binding = parseBinding(object, isDefault, this.diagnose);
      if (binding === undefined) return;
      if (binding.namespace !== undefined) this.namespaces.add(binding.namespace);
      for (const subject of binding.subjects) if (subject.namespace !== undefined) this.namespaces.add(subject.namespace);
      this.keep(this.bindings, `${binding.kind}/${binding.namespace ?? ''}/${binding.name}`, binding);
    } else if (object.kind === 'Namespace' && object.apiVersion === 'v1') {
      this.namespaces.add(object.name);
    } else if (object.kind === 'ServiceAccount' && object.apiVersion === 'v1' && object.namespace !== undefined) {
      this.serviceAccounts.add(`${object.namespace}/${object.name}`);
    } else if (object.kind === 'CustomResourceDefinition' && apiGroupOf(object.apiVersion) === 'apiextensions.k8s.io') {
      this.addCustomResource(object);
    }
  }

  /** Later objects replace earlier ones with the same identity, as `kubectl apply` would. */
  private keep<T extends { readonly object: KubeObject; readonly isDefault: boolean; readonly kind: string; readonly name: string }>(
    map: Map<string, T>,
    key: string,
    entry: T,
  ): void {
    const previous = map.get(key);
    if (previous !== undefined && !previous.isDefault) {
      const where = locate(previous.object);
      this.diagnose(
        entry.object,
        ['metadata', 'name'],
        'rbac-duplicate',
        `${entry.kind} ${entry.name} is defined twice; this definition replaces the one at ${where.file}:${where.line}`,
        'warning',
      );
    }
    map.set(key, entry);
  }

  private addCustomResource(object: KubeObject): void {
    const spec = object.raw.spec;
    if (!isJsonObject(spec) || typeof spec.group !== 'string' || !isJsonObject(spec.names) || typeof spec.names.plural !== 'string') return;
    this.customResources.set(spec.names.plural, { group: spec.group, resource: spec.names.plural, namespaced: spec.scope !== 'Cluster' });
  }

  finish(): RbacPolicy {
    const clusterRoles = [...this.roles.values()].filter((role) => role.kind === 'ClusterRole');
    aggregateClusterRoles(clusterRoles, this.diagnose);

    const clusterRoleBindings: BindingEntry[] = [];
    const roleBindingsByNamespace = new Map<string, BindingEntry[]>();
    const resolved = new Map<BindingEntry, RoleEntry | undefined>();
    for (const binding of this.bindings.values()) {
      if (binding.kind === 'ClusterRoleBinding') {
        clusterRoleBindings.push(binding);
      } else {
        const namespace = binding.namespace ?? '';
        const list = roleBindingsByNamespace.get(namespace) ?? [];
        list.push(binding);
        roleBindingsByNamespace.set(namespace, list);
      }
      resolved.set(binding, this.resolve(binding));
    }
    return {
      roles: this.roles,
      clusterRoleBindings,
      roleBindingsByNamespace,
      customResources: this.customResources,
      namespaces: this.namespaces,
      serviceAccounts: this.serviceAccounts,
      diagnostics: this.diagnostics,
      roleFor: (binding) => resolved.get(binding),
    };
  }

  /** Looks up a binding's role as the authorizer does: a Role in the binding's namespace, or a ClusterRole. */
  private resolve(binding: BindingEntry): RoleEntry | undefined {
    const { kind, name } = binding.roleRef;
    if (kind !== 'Role' && kind !== 'ClusterRole') return undefined; // diagnosed when parsed
    if (binding.kind === 'ClusterRoleBinding' && kind === 'Role') return undefined; // diagnosed when parsed
    const role = this.roles.get(roleKey(kind, binding.namespace, name));
    if (role !== undefined) return role;
    const scope = kind === 'Role' ? ` in namespace ${binding.namespace ?? ''}` : '';
    const hint =
      kind === 'ClusterRole' && this.options.defaultClusterRoleNames?.has(name) === true ? ` (${name} is a default ClusterRole: add --with-defaults to load the bootstrap roles)` : '';
    this.diagnose(
      binding.object,
      ['roleRef', 'name'],
      'rbac-missing-role',
      `${describeBinding(binding)} references ${kind} ${name}${scope}, which is not in the input; it grants nothing here${
        binding.subjects.length === 0 ? '' : `, so answers for its ${binding.subjects.length === 1 ? 'subject' : `${binding.subjects.length} subjects`} may be incomplete`
      }${hint}`,
      'warning',
    );
    return undefined;
  }
}

function diagnosticAt(object: KubeObject, path: FieldPath, code: string, message: string, severity: DiagnosticSeverity): Diagnostic {
  const location = locate(object, path);
  return { severity, code, message, file: location.file, documentIndex: location.documentIndex, line: location.line, column: location.column };
}

/** Builds a policy from objects already in memory (tests, defaults). */
export function buildRbacPolicy(objects: Iterable<KubeObject>, options: RbacPolicyOptions = {}): RbacPolicy {
  const builder = new RbacPolicyBuilder(options);
  for (const object of objects) builder.add(object);
  return builder.finish();
}
