/**
 * Kubernetes format library (1.31+): `format.<name>()` returns a named
 * format, `format.named(name)` an optional format, and
 * `<format>.validate(string)` `optional.none()` when the string is valid, or
 * the list of error messages. Validators follow
 * k8s.io/apimachinery/pkg/util/validation.
 */
import { celFunc, celMethod, CelScalar } from '@bufbuild/cel';
import type { CelLibrary } from '../library.js';
import { expect, OpaqueValue } from './opaque.js';
import { CelOptional } from './optional.js';
import { parseUrl } from './url.js';

const { DYN, STRING } = CelScalar;

const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN = `${DNS1123_LABEL}(\\.${DNS1123_LABEL})*`;
const DNS1035_LABEL = '[a-z]([-a-z0-9]*[a-z0-9])?';
const QUALIFIED_NAME = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const LABEL_VALUE = '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?';

function regexError(message: string, pattern: string, examples: string[]): string {
  return `${message} (e.g. ${examples.map((example) => `'${example}'`).join(', or ')}, regex used for validation is '${pattern}')`;
}

function dns1123Label(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 63) errors.push('must be no more than 63 characters');
  if (!new RegExp(`^${DNS1123_LABEL}$`).test(value)) {
    errors.push(regexError("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character", DNS1123_LABEL, ['my-name', '123-abc']));
  }
  return errors;
}

function dns1123Subdomain(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 253) errors.push('must be no more than 253 characters');
  if (!new RegExp(`^${DNS1123_SUBDOMAIN}$`).test(value)) {
    errors.push(
      regexError(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
        DNS1123_SUBDOMAIN,
        ['example.com'],
      ),
    );
  }
  return errors;
}

function dns1035Label(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 63) errors.push('must be no more than 63 characters');
  if (!new RegExp(`^${DNS1035_LABEL}$`).test(value)) {
    errors.push(regexError("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character", DNS1035_LABEL, ['my-name', 'abc-123']));
  }
  return errors;
}

/** generateName prefixes may end in '-': Kubernetes masks a trailing dash before validating. */
function asPrefix(validate: (value: string) => string[]): (value: string) => string[] {
  return (value) => validate(value.endsWith('-') ? `${value.slice(0, -1)}a` : value);
}

function qualifiedName(value: string): string[] {
  const errors: string[] = [];
  const parts = value.split('/');
  let name = value;
  if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    name = parts[1] ?? '';
    if (prefix.length === 0) errors.push('prefix part must be non-empty');
    else errors.push(...dns1123Subdomain(prefix).map((error) => `prefix part ${error}`));
  } else if (parts.length > 2) {
    return [regexError("a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", QUALIFIED_NAME, ['MyName', 'my.name', '123-abc']) + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"];
  }
  if (name.length === 0) errors.push('name part must be non-empty');
  else if (name.length > 63) errors.push('name part must be no more than 63 characters');
  if (name.length > 0 && !new RegExp(`^${QUALIFIED_NAME}$`).test(name)) {
    errors.push(`name part ${regexError("must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", QUALIFIED_NAME, ['MyName', 'my.name', '123-abc'])}`);
  }
  return errors;
}

function labelValue(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 63) errors.push('must be no more than 63 characters');
  if (!new RegExp(`^${LABEL_VALUE}$`).test(value)) {
    errors.push(regexError("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", LABEL_VALUE, ['MyValue', 'my_value', '12345']));
  }
  return errors;
}

function uri(value: string): string[] {
  const parsed = parseUrl(value);
  return typeof parsed === 'string' ? [`invalid URI: ${parsed}`] : [];
}

function uuid(value: string): string[] {
  return /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(value) ? [] : ['does not match the UUID format'];
}

function base64(value: string): string[] {
  return /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(value) ? [] : ['invalid base64'];
}

function validDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function date(value: string): string[] {
  const match = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(value);
  return match !== null && validDate(Number(match[1]), Number(match[2]), Number(match[3])) ? [] : ['invalid date'];
}

function datetime(value: string): string[] {
  const match = /^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt ]([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9]|60)(\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$/.exec(value);
  return match !== null && validDate(Number(match[1]), Number(match[2]), Number(match[3])) ? [] : ['invalid datetime'];
}

const FORMATS: Record<string, (value: string) => string[]> = {
  dns1123Label,
  dns1123Subdomain,
  dns1035Label,
  qualifiedName,
  dns1123LabelPrefix: asPrefix(dns1123Label),
  dns1123SubdomainPrefix: asPrefix(dns1123Subdomain),
  dns1035LabelPrefix: asPrefix(dns1035Label),
  labelValue,
  uri,
  uuid,
  byte: base64,
  date,
  datetime,
};

export class NamedFormat extends OpaqueValue {
  readonly celTypeName = 'kubernetes.NamedFormat';
  constructor(readonly name: string) {
    super();
  }
  celString(): string {
    return `format.${this.name}()`;
  }
  protected equalityKey(): string {
    return this.name;
  }
  validate(value: string): string[] {
    return (FORMATS[this.name] ?? (() => []))(value);
  }
}

export const formatLibrary: CelLibrary = {
  name: 'Kubernetes format',
  introducedIn: 31,
  functions: [
    ...Object.keys(FORMATS).map((name) => celFunc(`format.${name}`, [], DYN, () => new NamedFormat(name))),
    celFunc('format.named', [STRING], DYN, (name) => (Object.hasOwn(FORMATS, name) ? CelOptional.of(new NamedFormat(name)) : CelOptional.none) as never),
    celMethod('validate', DYN, [STRING], DYN, function (value) {
      const errors = expect(this, NamedFormat, 'validate', this, value).validate(value);
      return errors.length === 0 ? CelOptional.none : CelOptional.of(errors);
    }),
  ],
};
