/** Escalation paths → table, JSON, Graphviz dot and Mermaid. Witnesses are resolved to file:line here, only for the paths shown. */
import { resolveWitness, type Edge, type EscalationPath, type PathSearchResult, type WitnessJson } from './paths.js';

export interface StepJson {
  readonly from: string;
  readonly fromLabel: string;
  readonly to: string;
  readonly toLabel: string;
  readonly kind: string;
  readonly text: string;
  readonly witnesses: readonly WitnessJson[];
}

export interface PathJson {
  readonly from: string;
  readonly fromLabel: string;
  readonly target: string;
  readonly length: number;
  readonly steps: readonly StepJson[];
}

type Labels = (id: string) => string;

export function pathJson(path: EscalationPath, labelOf: Labels): PathJson {
  return {
    from: path.start.id,
    fromLabel: path.start.label,
    target: path.target,
    length: path.steps.length,
    steps: path.steps.map((step) => stepJson(step, labelOf)),
  };
}

function stepJson(step: Edge, labelOf: Labels): StepJson {
  return { from: step.from, fromLabel: labelOf(step.from), to: step.to, toLabel: labelOf(step.to), kind: step.kind, text: step.text, witnesses: step.witnesses.map(resolveWitness) };
}

function formatWitness(witness: WitnessJson): string {
  return witness.file === undefined ? witness.what : `${witness.what} (${witness.file}:${witness.line ?? 0})`;
}

export function renderPathsTable(results: readonly PathSearchResult[], labelOf: Labels): string {
  const lines: string[] = [];
  for (const result of results) {
    if (lines.length > 0) lines.push('');
    const shown = result.paths.length < result.total ? ` (showing the ${result.paths.length} shortest; --limit to see more)` : '';
    lines.push(`to ${result.target}: ${result.total === 0 ? 'no path' : `${result.total} start${result.total === 1 ? ' reaches' : 's reach'} it${shown}`}`);
    for (const path of result.paths) {
      lines.push(`  ${path.start.label} → ${result.target} in ${path.steps.length} step${path.steps.length === 1 ? '' : 's'}`);
      path.steps.forEach((step, index) => {
        lines.push(`    ${index + 1}. [${step.kind}] ${step.text} → ${labelOf(step.to)}`);
        for (const witness of step.witnesses) lines.push(`         ${formatWitness(resolveWitness(witness))}`);
      });
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The vertices and edges of the shown paths, each once. */
function collect(results: readonly PathSearchResult[]): { vertices: string[]; edges: Edge[] } {
  const vertices = new Set<string>();
  const edges = new Map<string, Edge>();
  for (const result of results) {
    for (const path of result.paths) {
      for (const step of path.steps) {
        vertices.add(step.from);
        vertices.add(step.to);
        edges.set(`${step.from}\u0000${step.to}\u0000${step.kind}`, step);
      }
    }
  }
  return { vertices: [...vertices], edges: [...edges.values()] };
}

function dotString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

export function renderPathsDot(results: readonly PathSearchResult[], labelOf: Labels): string {
  const { vertices, edges } = collect(results);
  const lines = ['digraph escalation {', '  rankdir=LR;', '  node [shape=box, fontname="Helvetica"];'];
  for (const id of vertices) {
    const target = id.startsWith('target:');
    lines.push(`  ${dotString(id)} [label=${dotString(labelOf(id))}${target ? ', style=filled, fillcolor="#f4cccc"' : ''}];`);
  }
  for (const step of edges) lines.push(`  ${dotString(step.from)} -> ${dotString(step.to)} [label=${dotString(step.kind)}, tooltip=${dotString(step.text)}];`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** Mermaid labels cannot hold quotes or brackets freely; entity codes keep them readable. */
function mermaidLabel(text: string): string {
  return `"${text.replace(/"/g, '#quot;').replace(/[<>]/g, (char) => (char === '<' ? '#lt;' : '#gt;'))}"`;
}

export function renderPathsMermaid(results: readonly PathSearchResult[], labelOf: Labels): string {
  const { vertices, edges } = collect(results);
  const short = new Map(vertices.map((id, index) => [id, `n${index}`]));
  const lines = ['flowchart LR'];
  for (const id of vertices) lines.push(`  ${short.get(id)!}[${mermaidLabel(labelOf(id))}]`);
  for (const step of edges) lines.push(`  ${short.get(step.from)!} -->|${step.kind}| ${short.get(step.to)!}`);
  for (const id of vertices) if (id.startsWith('target:')) lines.push(`  style ${short.get(id)!} fill:#f4cccc`);
  return `${lines.join('\n')}\n`;
}
