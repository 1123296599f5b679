/** The threat model and attack graph as a terminal table, JSON, Markdown, Mermaid and Graphviz dot. */
import type { AttackGraph } from './attackGraph.js';
import { STRIDE_NAMES, type ThreatModel } from './model.js';

export const THREAT_FORMATS = ['table', 'json', 'markdown', 'mermaid', 'dot'] as const;
export type ThreatFormat = (typeof THREAT_FORMATS)[number];

export function renderThreatModel(format: ThreatFormat, model: ThreatModel, graph: AttackGraph): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify({ threatModel: model, attackGraph: graph }, null, 2)}\n`;
    case 'markdown':
      return renderMarkdown(model, graph);
    case 'mermaid':
      return renderMermaid(model, graph);
    case 'dot':
      return renderDot(model, graph);
    default:
      return renderTable(model, graph);
  }
}

function summaryLine(model: ThreatModel): string {
  const { open, partly, mitigated, unassessed } = model.summary;
  return `${model.threats.length} threats: ${open} open, ${partly} partly mitigated, ${mitigated} mitigated, ${unassessed} unassessed`;
}

function renderTable(model: ThreatModel, graph: AttackGraph): string {
  const lines: string[] = [];
  lines.push(`Threat model: ${model.elements.length} elements, ${model.flows.length} data flows, ${model.boundaries.length} trust boundaries`);
  for (const status of ['open', 'partly'] as const) {
    const list = model.threats.filter((threat) => threat.status === status);
    if (list.length === 0) continue;
    lines.push('', status === 'open' ? 'OPEN' : 'PARTLY MITIGATED');
    for (const threat of list) {
      lines.push(`  [${threat.stride}] ${threat.title} — ${threat.targetLabel}`);
      lines.push(`      ${threat.attack.join(', ')} | ${threat.msMatrix.join(', ')} | ${threat.reason}`);
      for (const evidence of threat.evidence.filter((entry) => entry.result === 'fail')) {
        for (const finding of evidence.findings.slice(0, 2)) lines.push(`      ${evidence.checkId}: ${finding.message} (${finding.location.file}:${finding.location.line})`);
      }
    }
  }
  lines.push('', `Attack graph: ${graph.totalPaths} shortest path(s) from entry points to crown jewels`);
  for (const path of graph.paths.slice(0, 10)) {
    lines.push(`  ${path.startLabel} → ${path.jewelLabel} in ${path.steps.length} step(s)`);
    path.steps.forEach((step, at) => lines.push(`    ${at + 1}. ${step.text}`));
  }
  if (graph.paths.length > 10) lines.push(`  … ${graph.totalPaths - 10} more (--format json lists ${graph.paths.length})`);
  if (graph.recommendations.length > 0) {
    lines.push('', 'Changes that cut them (greedy set cover, most paths first):');
    graph.recommendations.forEach((entry, at) => lines.push(`  ${at + 1}. ${entry.change} — cuts ${entry.pathsCut} path(s)`));
  }
  lines.push('', summaryLine(model));
  for (const assumption of model.assumptions) lines.push(`note: ${assumption}`);
  return `${lines.join('\n')}\n`;
}

function escapeMarkdown(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function renderMarkdown(model: ThreatModel, graph: AttackGraph): string {
  const lines: string[] = ['# Threat model', '', summaryLine(model) + '.', ''];
  for (const assumption of model.assumptions) lines.push(`> ${assumption}`, '');
  lines.push('## Threats', '', '| status | STRIDE | threat | against | ATT&CK | MS matrix | mitigations | why |', '|---|---|---|---|---|---|---|---|');
  for (const threat of model.threats) {
    lines.push(`| ${threat.status} | ${STRIDE_NAMES[threat.stride]} | ${escapeMarkdown(threat.title)} | ${escapeMarkdown(threat.targetLabel)} | ${threat.attack.join(', ')} | ${threat.msMatrix.join(', ')} | ${threat.mitigations.map((id) => `\`${id}\``).join(', ')} | ${escapeMarkdown(threat.reason)} |`);
  }
  lines.push('', '## Data flows', '', '| from | to | what | controls |', '|---|---|---|---|');
  const label = (id: string): string => model.elements.find((element) => element.id === id)?.label ?? id;
  for (const flow of model.flows) {
    lines.push(`| ${escapeMarkdown(label(flow.from))} | ${escapeMarkdown(label(flow.to))} | ${escapeMarkdown(flow.label)} | ${flow.controls.map((control) => `${control.control}: ${control.state}`).join(', ') || '—'} |`);
  }
  lines.push('', '## Diagram', '', '```mermaid', renderMermaid(model, graph).trimEnd(), '```', '', '## Attack paths', '');
  if (graph.paths.length === 0) lines.push('No path from an entry point to a crown jewel.');
  for (const path of graph.paths) {
    lines.push(`- **${escapeMarkdown(path.startLabel)} → ${escapeMarkdown(path.jewelLabel)}**`);
    path.steps.forEach((step, at) => lines.push(`  ${at + 1}. ${escapeMarkdown(step.text)}${step.witnesses.length > 0 ? ` (${step.witnesses.map((witness) => escapeMarkdown(witness.file === undefined ? witness.what : `${witness.what}, ${witness.file}${witness.line === undefined ? '' : `:${witness.line}`}`)).join('; ')})` : ''}`));
  }
  if (graph.recommendations.length > 0) {
    lines.push('', '## Recommended changes', '', 'Greedy set cover: each change is the one most remaining shortest paths share.', '', '| # | change | paths cut |', '|---|---|---|');
    graph.recommendations.forEach((entry, at) => lines.push(`| ${at + 1} | ${escapeMarkdown(entry.change)} | ${entry.pathsCut} |`));
  }
  return `${lines.join('\n')}\n`;
}

/** A boundary's label; a pod's names the container boundaries inside it, which the diagrams do not draw as boxes. */
function boundaryLabel(model: ThreatModel, boundaryId: string): string {
  const boundary = model.boundaries.find((entry) => entry.id === boundaryId)!;
  if (boundary.kind !== 'pod') return boundary.label;
  const containers = model.boundaries.filter((entry) => entry.parent === boundaryId).map((entry) => entry.label.replace(/^container /, ''));
  return `${boundary.label} (containers: ${containers.join(', ') || 'none'})`;
}

function mermaidId(id: string): string {
  return `n_${id.replace(/[^A-Za-z0-9]/g, '_')}`;
}

function mermaidText(text: string): string {
  return text.replace(/"/g, '#quot;');
}

/** Each boundary's child boundaries, by parent (container boundaries are drawn inside their pods' labels, not as boxes). */
function boundaryChildren(model: ThreatModel): Map<string | undefined, string[]> {
  const children = new Map<string | undefined, string[]>();
  for (const boundary of model.boundaries) {
    if (boundary.kind === 'container') continue;
    const list = children.get(boundary.parent) ?? [];
    list.push(boundary.id);
    children.set(boundary.parent, list);
  }
  return children;
}

/** The model's elements in their boundaries and the data flows, plus the attack paths' edges in red. */
export function renderMermaid(model: ThreatModel, graph: AttackGraph): string {
  const lines = ['flowchart LR'];
  const children = boundaryChildren(model);
  const elementsIn = new Map<string | undefined, string[]>();
  for (const element of model.elements) {
    const list = elementsIn.get(element.boundary) ?? [];
    list.push(element.id);
    elementsIn.set(element.boundary, list);
  }
  const elementLine = (id: string, indent: string): string => {
    const element = model.elements.find((entry) => entry.id === id)!;
    return `${indent}${mermaidId(id)}["${mermaidText(element.label)}${element.assumed ? ' (assumed)' : ''}"]`;
  };
  const visit = (boundaryId: string, indent: string): void => {
    lines.push(`${indent}subgraph ${mermaidId(boundaryId)}["${mermaidText(boundaryLabel(model, boundaryId))}"]`);
    for (const id of elementsIn.get(boundaryId) ?? []) lines.push(elementLine(id, `${indent}  `));
    for (const child of children.get(boundaryId) ?? []) visit(child, `${indent}  `);
    lines.push(`${indent}end`);
  };
  for (const id of elementsIn.get(undefined) ?? []) lines.push(elementLine(id, '  '));
  for (const root of children.get(undefined) ?? []) visit(root, '  ');
  for (const flow of model.flows) lines.push(`  ${mermaidId(flow.from)} -->|"${mermaidText(flow.label)}"| ${mermaidId(flow.to)}`);
  const open = new Set(model.threats.filter((threat) => threat.status === 'open').map((threat) => threat.target));
  for (const id of open) if (model.elements.some((element) => element.id === id)) lines.push(`  style ${mermaidId(id)} fill:#fde2e1,stroke:#c0392b`);
  if (graph.paths.length > 0) {
    lines.push('  %% attack paths');
    const seen = new Set<string>();
    for (const path of graph.paths.slice(0, 50)) {
      for (const step of path.steps) {
        const key = `${step.from}>${step.to}`;
        if (seen.has(key)) continue;
        seen.add(key);
        lines.push(`  ${mermaidId(`attack:${step.from}`)}["${mermaidText(graph.vertices.find((vertex) => vertex.id === step.from)?.label ?? step.from)}"] -.->|"${mermaidText(step.kind)}"| ${mermaidId(`attack:${step.to}`)}["${mermaidText(graph.vertices.find((vertex) => vertex.id === step.to)?.label ?? step.to)}"]`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

function dotText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

export function renderDot(model: ThreatModel, graph: AttackGraph): string {
  const lines = ['digraph threat_model {', '  rankdir=LR;', '  node [shape=box, fontname="Helvetica"];'];
  const children = boundaryChildren(model);
  const open = new Set(model.threats.filter((threat) => threat.status === 'open').map((threat) => threat.target));
  const elementLine = (id: string, indent: string): string => {
    const element = model.elements.find((entry) => entry.id === id)!;
    const style = [element.assumed ? 'style=dashed' : '', open.has(id) ? 'color="#c0392b", fontcolor="#c0392b"' : ''].filter((entry) => entry !== '').join(', ');
    return `${indent}"${dotText(id)}" [label="${dotText(element.label)}${element.assumed ? '\\n(assumed)' : ''}"${style === '' ? '' : `, ${style}`}];`;
  };
  let cluster = 0;
  const visit = (boundaryId: string, indent: string): void => {
    lines.push(`${indent}subgraph cluster_${cluster++} {`, `${indent}  label="${dotText(boundaryLabel(model, boundaryId))}"; style=dashed;`);
    for (const element of model.elements.filter((entry) => entry.boundary === boundaryId)) lines.push(elementLine(element.id, `${indent}  `));
    for (const child of children.get(boundaryId) ?? []) visit(child, `${indent}  `);
    lines.push(`${indent}}`);
  };
  for (const element of model.elements.filter((entry) => entry.boundary === undefined)) lines.push(elementLine(element.id, '  '));
  for (const root of children.get(undefined) ?? []) visit(root, '  ');
  for (const flow of model.flows) lines.push(`  "${dotText(flow.from)}" -> "${dotText(flow.to)}" [label="${dotText(flow.label)}"];`);
  if (graph.paths.length > 0) {
    lines.push('  subgraph cluster_attack { label="attack paths"; color="#c0392b";');
    const seen = new Set<string>();
    for (const path of graph.paths.slice(0, 50)) {
      for (const step of path.steps) {
        for (const id of [step.from, step.to]) {
          if (seen.has(id)) continue;
          seen.add(id);
          const vertex = graph.vertices.find((entry) => entry.id === id);
          lines.push(`    "attack:${dotText(id)}" [label="${dotText(vertex?.label ?? id)}"${vertex?.kind === 'jewel' ? ', style=filled, fillcolor="#f5b7b1"' : ''}];`);
        }
        lines.push(`    "attack:${dotText(step.from)}" -> "attack:${dotText(step.to)}" [label="${dotText(step.kind)}", color="#c0392b"];`);
      }
    }
    lines.push('  }');
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
