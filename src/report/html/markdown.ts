/** `rampart report --markdown`: the same report as the HTML page, as Markdown for a pull request or a wiki. */
import { renderMarkdown } from '../../threat/render.js';
import type { ReportData, Score } from './data.js';

const MAX_FINDINGS = 500;

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function scoreRows(scores: readonly Score[]): string[] {
  return scores.map((score) => `| ${cell(score.name)} | ${score.score === undefined ? '—' : `${score.score}%`} | ${score.passed} / ${score.judged} |`);
}

export function renderReportMarkdown(data: ReportData): string {
  const { summary } = data;
  const lines: string[] = [
    '# Rampart security report',
    '',
    `${data.inputs.map((input) => `\`${input}\``).join(', ')} · ${data.tool.name} ${data.tool.version} · ${data.generatedAt}`,
    '',
    '## Posture overview',
    '',
    `${summary.objects} objects, ${summary.findings} findings (${Object.entries(summary.bySeverity).map(([severity, count]) => `${count} ${severity}`).join(', ')}); ` +
      `${data.threatModel.summary.open} open threats; ${data.attackGraph.totalPaths} attack paths to crown jewels.`,
    '',
    '| framework | score | passed / judged |',
    '|---|---|---|',
    ...scoreRows(data.frameworks),
    '',
    '| namespace | score | passed / judged |',
    '|---|---|---|',
    ...scoreRows(data.namespaces),
    '',
    'A score is the share of (object, check) judgements that passed.',
    '',
  ];
  // The threat model's own Markdown, one heading level down.
  lines.push(...renderMarkdown(data.threatModel, data.attackGraph).trimEnd().split('\n').map((line) => (line.startsWith('#') ? `#${line}` : line)), '');
  lines.push('## Findings', '');
  const shown = data.findings.slice(0, MAX_FINDINGS);
  if (data.findings.length > shown.length) lines.push(`The first ${shown.length} of ${data.findings.length} findings, most severe first; the JSON and HTML reports have all.`, '');
  lines.push('| severity | check | object | message | location | remediation |', '|---|---|---|---|---|---|');
  const rank = ['critical', 'high', 'medium', 'low', 'info'];
  const ordered = [...data.findings].sort((a, b) => rank.indexOf(a.severity) - rank.indexOf(b.severity) || (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line)).slice(0, MAX_FINDINGS);
  for (const finding of ordered) {
    const object = `${finding.kind} ${finding.namespace === '' ? '' : `${finding.namespace}/`}${finding.name}`;
    lines.push(`| ${finding.severity} | \`${finding.checkId}\` | ${cell(object)} | ${cell(finding.message)} | ${cell(`${finding.file}:${finding.line}`)} | ${cell(data.checks[finding.checkId]?.remediation ?? '')} |`);
  }
  return `${lines.join('\n')}\n`;
}
