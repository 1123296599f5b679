/**
 * The building blocks controls are made of: judge an effective setting, a
 * file's permissions or ownership. Each returns an outcome whose details name
 * the value and where it came from. Unknown input is WARN or INFO, never PASS.
 */
import type { EffectiveComponent, EffectiveNode } from '../effective.js';
import { describeSetting, type ComponentName, type FileFacts, type Setting } from '../model.js';
import type { Outcome } from './types.js';

export const pass = (details: string[], at?: Located): Outcome => ({ status: 'PASS', details, ...located(at) });
export const fail = (details: string[], at?: Located): Outcome => ({ status: 'FAIL', details, ...located(at) });
export const warn = (details: string[], at?: Located): Outcome => ({ status: 'WARN', details, ...located(at) });
export const info = (details: string[], at?: Located): Outcome => ({ status: 'INFO', details, ...located(at) });

interface Located {
  readonly file?: string;
  readonly line?: number;
}

function located(at: Located | undefined): Located {
  if (at?.file === undefined) return {};
  return at.line === undefined ? { file: at.file } : { file: at.file, line: at.line };
}

export function missingComponent(node: EffectiveNode, name: ComponentName): Outcome {
  const unreadable = node.snapshot.unreadable.find((entry) => entry.name === name);
  if (unreadable !== undefined) return warn([`${name} could not be judged: ${unreadable.reason}`], { file: unreadable.file });
  return info([`${name} was not found on this node (no static pod manifest under /etc/kubernetes/manifests, no process under /proc${name === 'kubelet' ? ', no systemd unit' : ''})`]);
}

/** A flag component's settings are kubelet-style field paths for the kubelet; shown as flags for the others. */
export function show(component: EffectiveComponent, setting: Setting): string {
  return describeSetting(setting, component.name !== 'kubelet' || setting.source === 'flag');
}

/**
 * Judges one setting of one component. `judge` returns true to pass; a value
 * that comes from a default while the component's configuration could not be
 * fully read is unknown, so WARN with the reason.
 */
export function judgeSetting(
  node: EffectiveNode,
  name: ComponentName,
  settingName: string,
  judge: (value: string | undefined, setting: Setting, component: EffectiveComponent) => boolean,
  expectation: string,
): Outcome {
  const component = node.component(name);
  if (component === undefined) return missingComponent(node, name);
  const setting = component.setting(settingName);
  return judgeKnown(component, setting, judge(setting.value, setting, component), expectation);
}

export function judgeKnown(component: EffectiveComponent, setting: Setting, ok: boolean, expectation: string): Outcome {
  const evidence = show(component, setting);
  if (setting.source === 'default' && component.problems.length > 0) {
    return warn([`${evidence}: cannot be trusted because ${component.problems.join('; ')}`, `expected: ${expectation}`], { file: component.facts.file });
  }
  const at = setting.file === undefined ? { file: component.facts.file } : setting.line === undefined ? { file: setting.file } : { file: setting.file, line: setting.line };
  return ok ? pass([evidence], at) : fail([evidence, `expected: ${expectation}`], at);
}

/** Go's strconv.ParseBool, which Kubernetes flags use: 1, t, T, TRUE, true, True (and the false forms). */
const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const GO_FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);
export const isTrue = (value: string | undefined): boolean => value !== undefined && GO_TRUE.has(value.trim());
export const isFalse = (value: string | undefined): boolean => value !== undefined && GO_FALSE.has(value.trim());
export const isSet = (value: string | undefined): boolean => value !== undefined && value !== '';
export const listOf = (value: string | undefined): string[] =>
  value === undefined ? [] : value.split(',').map((item) => item.trim()).filter((item) => item !== '');

export function atLeast(minimum: number): (value: string | undefined) => boolean {
  return (value) => value !== undefined && /^-?\d+$/.test(value.trim()) && Number(value) >= minimum;
}

/** Several settings that must all pass (e.g. a certificate and its key). */
export function judgeAll(outcomes: readonly Outcome[]): Outcome {
  const worst = outcomes.find((outcome) => outcome.status === 'FAIL') ?? outcomes.find((outcome) => outcome.status === 'WARN') ?? outcomes.find((outcome) => outcome.status === 'INFO');
  const details = [...new Set(outcomes.flatMap((outcome) => outcome.details))];
  const first = worst ?? outcomes[0];
  return { status: worst?.status ?? 'PASS', details, ...located(first) };
}

export function modeText(mode: number | undefined): string {
  return mode === undefined ? '?' : mode.toString(8).padStart(3, '0');
}

export interface FileRequirement {
  readonly path: string;
  /** What the file is, for messages: `API server pod specification`. */
  readonly what: string;
  /** A missing optional file is INFO (not applicable); a missing required file is WARN. */
  readonly optional?: boolean;
}

/** Permissions at most `maximum` (no bit outside it): 600 passes 600 and 400, fails 640 and 700. */
export function judgePermissions(node: EffectiveNode, files: readonly FileRequirement[], maximum: number): Outcome {
  return judgeFiles(node, files, (facts) => ((facts.mode ?? 0o7777) & ~maximum) === 0, (facts) => `${facts.path} has mode ${modeText(facts.mode)}`, `mode ${modeText(maximum)} or more restrictive`);
}

export function judgeOwnership(node: EffectiveNode, files: readonly FileRequirement[], user: string, group: string): Outcome {
  const owner = (facts: FileFacts): string => `${node.userName(facts.uid)}:${node.groupName(facts.gid)}`;
  const expected = (facts: FileFacts): boolean => {
    if (user === 'root' && group === 'root') return facts.uid === 0 && facts.gid === 0;
    return node.userName(facts.uid) === user && node.groupName(facts.gid) === group;
  };
  return judgeFiles(node, files, expected, (facts) => `${facts.path} is owned by ${owner(facts)}`, `owned by ${user}:${group}`);
}

function judgeFiles(node: EffectiveNode, files: readonly FileRequirement[], ok: (facts: FileFacts) => boolean, describe: (facts: FileFacts) => string, expectation: string): Outcome {
  if (files.length === 0) return info(['no such files on this node']);
  const outcomes: Outcome[] = [];
  for (const requirement of files) {
    const facts = node.file(requirement.path);
    if (facts === undefined) {
      outcomes.push(warn([`${requirement.what} ${requirement.path} was not collected`]));
      continue;
    }
    if (!facts.exists) {
      if (facts.error !== undefined) outcomes.push(warn([facts.error]));
      else if (requirement.optional === true) outcomes.push(info([`${requirement.what} ${requirement.path} does not exist`]));
      else outcomes.push(warn([`${requirement.what} ${requirement.path} does not exist`]));
      continue;
    }
    if (facts.mode === undefined) {
      outcomes.push(warn([facts.error ?? `cannot stat ${requirement.path}`]));
      continue;
    }
    outcomes.push(ok(facts) ? pass([describe(facts)], { file: facts.path }) : fail([`${describe(facts)}, expected ${expectation}`], { file: facts.path }));
  }
  const failed = outcomes.filter((outcome) => outcome.status === 'FAIL');
  // Many files (the PKI directory): report the failing ones, count the rest.
  if (outcomes.length > 6) {
    const shown = failed.length > 0 ? failed : outcomes.filter((outcome) => outcome.status !== 'PASS');
    const combined = judgeAll(outcomes);
    const details = shown.slice(0, 10).flatMap((outcome) => outcome.details);
    if (shown.length > 10) details.push(`… and ${shown.length - 10} more`);
    details.push(`${outcomes.filter((outcome) => outcome.status === 'PASS').length} of ${outcomes.length} files as expected`);
    return { ...combined, details };
  }
  return judgeAll(outcomes);
}

/** Files of a directory (one level, plus the named subdirectories), from the snapshot. */
export function directoryFiles(node: EffectiveNode, directory: string, filter: (name: string) => boolean, what: string): FileRequirement[] {
  const facts = node.file(directory);
  const out: FileRequirement[] = [];
  for (const entry of facts?.entries ?? []) {
    const path = `${directory}/${entry}`;
    const child = node.file(path);
    if (child?.type === 'directory') {
      for (const nested of child.entries ?? []) if (filter(nested)) out.push({ path: `${path}/${nested}`, what });
    } else if (filter(entry)) out.push({ path, what });
  }
  return out;
}
