/**
 * Identities as the API server builds them, and whether a binding subject
 * names one.
 */
import {
  ALL_AUTHENTICATED,
  ALL_SERVICE_ACCOUNTS,
  ALL_UNAUTHENTICATED,
  ANONYMOUS_USER,
  SERVICE_ACCOUNT_USER_PREFIX,
  type Subject,
  type UserInfo,
} from './model.js';

export function serviceAccountUsername(namespace: string, name: string): string {
  return `${SERVICE_ACCOUNT_USER_PREFIX}${namespace}:${name}`;
}

/** `system:serviceaccount:<ns>:<name>` → namespace and name; undefined for any other user name. */
export function parseServiceAccountUsername(username: string): { namespace: string; name: string } | undefined {
  if (!username.startsWith(SERVICE_ACCOUNT_USER_PREFIX)) return undefined;
  const rest = username.slice(SERVICE_ACCOUNT_USER_PREFIX.length);
  const colon = rest.indexOf(':');
  if (colon <= 0 || colon === rest.length - 1 || rest.indexOf(':', colon + 1) !== -1) return undefined;
  return { namespace: rest.slice(0, colon), name: rest.slice(colon + 1) };
}

export function serviceAccountGroups(namespace: string): string[] {
  return [ALL_SERVICE_ACCOUNTS, `${ALL_SERVICE_ACCOUNTS}:${namespace}`];
}

/** The identity a service account's token authenticates as. */
export function serviceAccountUser(namespace: string, name: string): UserInfo {
  return { name: serviceAccountUsername(namespace, name), groups: [...serviceAccountGroups(namespace), ALL_AUTHENTICATED] };
}

/**
 * The identity the API server builds for `--as USER --as-group G...`
 * (impersonation): a service-account user name without explicit groups gets
 * the service-account groups; every user but `system:anonymous` is in
 * `system:authenticated` unless the groups already say authenticated or
 * unauthenticated; `system:anonymous` is in `system:unauthenticated`.
 */
export function impersonatedUser(name: string, groups: readonly string[] = []): UserInfo {
  let effective = [...groups];
  const serviceAccount = parseServiceAccountUsername(name);
  if (serviceAccount !== undefined && effective.length === 0) effective = serviceAccountGroups(serviceAccount.namespace);
  if (name !== ANONYMOUS_USER) {
    if (!effective.includes(ALL_AUTHENTICATED) && !effective.includes(ALL_UNAUTHENTICATED)) effective.push(ALL_AUTHENTICATED);
  } else if (!effective.includes(ALL_UNAUTHENTICATED)) {
    effective.push(ALL_UNAUTHENTICATED);
  }
  return { name, groups: effective };
}

/** Does this binding subject name this user? (The namespace of a ServiceAccount subject is already defaulted.) */
export function subjectMatchesUser(subject: Subject, user: UserInfo): boolean {
  switch (subject.kind) {
    case 'User':
      return user.name === subject.name;
    case 'Group':
      return user.groups.includes(subject.name);
    case 'ServiceAccount':
      return subject.namespace !== undefined && user.name === serviceAccountUsername(subject.namespace, subject.name);
  }
}
