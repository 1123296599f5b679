/** Command lines → flags: static-pod argument lists, /proc cmdlines, systemd ExecStart lines. */
import type { RawFlag } from './model.js';

export interface ArgumentWithLine {
  readonly text: string;
  readonly line?: number;
  /** File the argument came from, when it differs from the command's file (systemd environment files). */
  readonly file?: string;
}

export interface ParsedFlags {
  readonly flags: RawFlag[];
  readonly problems: string[];
}

/** Flags that take no value, so `--flag next` does not swallow `next`. */
const BOOLEAN_FLAGS = new Set([
  'anonymous-auth', 'profiling', 'allow-privileged', 'client-cert-auth', 'peer-client-cert-auth', 'auto-tls', 'peer-auto-tls',
  'use-service-account-credentials', 'service-account-lookup', 'rotate-certificates', 'make-iptables-util-chains',
  'protect-kernel-defaults', 'seccomp-default', 'service-account-extend-token-expiration', 'enable-bootstrap-token-auth',
  'leader-elect', 'fail-swap-on', 'rotate-server-certificates', 'v',
]);

/**
 * Parses the arguments after the program name. `--name=value` and
 * `--name value` both work; a bare `--name` is `true`. Anything that is not a
 * flag is reported as a problem, not dropped silently.
 */
export function parseFlags(args: readonly ArgumentWithLine[], file: string): ParsedFlags {
  const flags: RawFlag[] = [];
  const problems: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const argument = args[index]!;
    const text = argument.text.trim();
    if (text === '') continue;
    const match = /^--?([A-Za-z0-9][A-Za-z0-9._-]*)(?:=(.*))?$/s.exec(text);
    if (match === null) {
      problems.push(`${argument.file ?? file}${argument.line === undefined ? '' : `:${argument.line}`}: cannot read argument ${JSON.stringify(text)} as a flag`);
      continue;
    }
    const name = match[1]!;
    const line = argument.line;
    const from = argument.file ?? file;
    if (match[2] !== undefined) {
      flags.push(withLine({ name, value: match[2], explicitValue: true, file: from }, line));
      continue;
    }
    const next = args[index + 1];
    if (!BOOLEAN_FLAGS.has(name) && next !== undefined && !next.text.trim().startsWith('-')) {
      flags.push(withLine({ name, value: next.text.trim(), explicitValue: true, file: from }, line));
      index++;
      continue;
    }
    flags.push(withLine({ name, value: 'true', explicitValue: false, file: from }, line));
  }
  return { flags, problems };
}

function withLine(flag: Omit<RawFlag, 'line'>, line: number | undefined): RawFlag {
  return line === undefined ? flag : { ...flag, line };
}

/** Splits a command line the way systemd does for ExecStart: whitespace, single and double quotes, backslash escapes. */
export function splitCommandLine(text: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
      else if (char === '\\' && quote === '"' && index + 1 < text.length) current += text[++index];
      else current += char;
      continue;
    }
    if (char === '"' || char === "'") {
      quote = char;
      inWord = true;
    } else if (char === '\\' && index + 1 < text.length) {
      current += text[++index];
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += char;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words;
}

/** Whether the last value given for a flag wins: Kubernetes components use pflag, where a repeated flag overrides. */
export function lastFlag(flags: readonly RawFlag[], name: string): RawFlag | undefined {
  for (let index = flags.length - 1; index >= 0; index--) if (flags[index]!.name === name) return flags[index];
  return undefined;
}
