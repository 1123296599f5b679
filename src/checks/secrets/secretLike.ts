/**
 * Recognising secret-looking literals by name and by content. Patterns are
 * compiled once, here; findings name the key and never print the value.
 */

const SECRET_NAME = /password|passwd|(^|[_.-])pwd($|[_.-])|token|bearer|secret|api[_-]?key|private[_-]?key|access[_-]?key|credential|^azure_.+key$|^oci_cli_key_content$/i;
/** Names that usually hold a reference to a secret, not the secret itself. */
const REFERENCE_NAME = /(_file|_path|_dir|_url|_uri|_name|_names|_ref|_endpoint|_host|_ttl|_length|_expiry|_expiration|_enabled|_header|_type)$/i;
const PRIVATE_KEY = /-{3,}BEGIN [A-Z ]*PRIVATE KEY-{3,}/;
const KNOWN_TOKEN = /\b(AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{36,}|xox[abpr]-[A-Za-z0-9-]{10,}|glpat-[A-Za-z0-9_-]{20,}|sk_live_[A-Za-z0-9]{20,})\b/;
/** Values that are not literals: empty, or references the kubelet or a templating step expands. */
const PLACEHOLDER = /^(\$\(.*\)|\$\{.*\}|\{\{.*\}\}|true|false|)$/i;
const HIGH_ENTROPY_CANDIDATE = /^[A-Za-z0-9+/=_\-.~]{20,}$/;

export function isSecretLikeName(name: string): boolean {
  return SECRET_NAME.test(name) && !REFERENCE_NAME.test(name);
}

/** Whether a literal is worth reporting under a secret-looking name: not empty, not a placeholder or a variable reference. */
export function isLiteralSecretValue(value: unknown): boolean {
  return typeof value === 'string' ? !PLACEHOLDER.test(value.trim()) : typeof value === 'number';
}

export function shannonEntropy(value: string): number {
  const counts = new Map<string, number>();
  for (const character of value) counts.set(character, (counts.get(character) ?? 0) + 1);
  let entropy = 0;
  for (const count of counts.values()) {
    const p = count / value.length;
    entropy -= p * Math.log2(p);
  }
  return entropy;
}

/** Why a value looks like a secret by its content, or undefined. Never returns the value. */
export function secretContentKind(value: string): string | undefined {
  if (PRIVATE_KEY.test(value)) return 'a private key';
  if (KNOWN_TOKEN.test(value)) return 'a known token format';
  const trimmed = value.trim();
  if (trimmed.length <= 200 && HIGH_ENTROPY_CANDIDATE.test(trimmed) && /[0-9]/.test(trimmed) && /[A-Za-z]/.test(trimmed) && shannonEntropy(trimmed) >= 4.2) {
    return 'a high-entropy string';
  }
  return undefined;
}
