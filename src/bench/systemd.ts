/**
 * The kubelet's command line from its systemd unit and drop-ins, the way
 * kubeadm installs it: `Environment=` and `EnvironmentFile=` define variables
 * that `ExecStart=` expands. Each flag keeps the file and line its text came from.
 */
import { splitCommandLine, type ArgumentWithLine } from './flags.js';

export interface UnitFile {
  readonly path: string;
  readonly content: string;
}

export interface EnvironmentFileRequest {
  readonly path: string;
  readonly optional: boolean;
}

interface Variable {
  readonly value: string;
  readonly file: string;
  readonly line: number;
}

export interface UnitCommand {
  /** Arguments after the program, each with the file and line its text came from. */
  readonly args: (ArgumentWithLine & { readonly file: string })[];
  /** File holding the effective ExecStart line. */
  readonly file: string;
  /** The program ExecStart runs (`/usr/bin/kubelet`), variables expanded. */
  readonly program: string;
  readonly problems: string[];
}

/**
 * Builds the ExecStart command of a unit from its files in systemd's order
 * (the unit, then drop-ins sorted by name). `readEnvironmentFile` returns the
 * text of an EnvironmentFile, or undefined when it does not exist.
 */
export function unitCommand(units: readonly UnitFile[], readEnvironmentFile: (path: string) => string | undefined): UnitCommand | undefined {
  const variables = new Map<string, Variable>();
  const problems: string[] = [];
  let exec: { text: string; file: string; line: number } | undefined;
  for (const unit of units) {
    const lines = joinContinuations(unit.content);
    let section = '';
    for (const { text, line } of lines) {
      const trimmed = text.trim();
      if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
      const header = /^\[(.+)\]$/.exec(trimmed);
      if (header !== null) {
        section = header[1]!;
        continue;
      }
      if (section !== 'Service') continue;
      const equals = trimmed.indexOf('=');
      if (equals < 0) continue;
      const key = trimmed.slice(0, equals).trim();
      const value = trimmed.slice(equals + 1).trim();
      if (key === 'Environment') {
        for (const assignment of splitCommandLine(value)) {
          const at = assignment.indexOf('=');
          if (at > 0) variables.set(assignment.slice(0, at), { value: assignment.slice(at + 1), file: unit.path, line });
        }
      } else if (key === 'EnvironmentFile') {
        const optional = value.startsWith('-');
        const path = optional ? value.slice(1) : value;
        const content = readEnvironmentFile(path);
        if (content === undefined) {
          if (!optional) problems.push(`${unit.path}:${line}: EnvironmentFile ${path} does not exist`);
          continue;
        }
        for (const entry of joinContinuations(content)) {
          const assignment = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(entry.text);
          if (assignment === null) continue;
          variables.set(assignment[1]!, { value: unquote(assignment[2]!.trim()), file: path, line: entry.line });
        }
      } else if (key === 'ExecStart') {
        // An empty ExecStart= resets the command, so a drop-in can replace it.
        exec = value === '' ? undefined : { text: value.replace(/^[-@:+!]+/, ''), file: unit.path, line };
      }
    }
  }
  if (exec === undefined) return undefined;
  const words = splitCommandLine(exec.text);
  const args: (ArgumentWithLine & { file: string })[] = [];
  for (const word of words.slice(1)) {
    const whole = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))$/.exec(word);
    if (whole !== null) {
      const variable = variables.get(whole[1] ?? whole[2]!);
      if (variable === undefined) continue;
      // `$VAR` splits into words; `${VAR}` stays one word, as in systemd.
      const parts = whole[2] !== undefined ? splitCommandLine(variable.value) : [variable.value];
      for (const part of parts) args.push({ text: part, file: variable.file, line: variable.line });
      continue;
    }
    const expanded = word.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => variables.get(name)?.value ?? '');
    args.push({ text: expanded, file: exec.file, line: exec.line });
  }
  const program = (words[0] ?? '').replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => variables.get(name)?.value ?? '');
  return { args, file: exec.file, program, problems };
}

function joinContinuations(content: string): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  const lines = content.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    let text = lines[index]!;
    const start = index + 1;
    while (text.endsWith('\\') && index + 1 < lines.length) text = `${text.slice(0, -1)} ${lines[++index]!}`;
    out.push({ text, line: start });
  }
  return out;
}

function unquote(value: string): string {
  if (value.length >= 2 && ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'")))) return value.slice(1, -1);
  return value;
}
