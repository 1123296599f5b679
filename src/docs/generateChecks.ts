/**
 * Writes docs/checks.md, the check catalogue, from check metadata
 * (`npm run docs:checks`). A test compares the committed file with a fresh
 * rendering, so the catalogue cannot drift from the checks.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { allCheckMetas } from '../checks/index.js';
import { documentationLink, type CheckMeta } from '../checks/types.js';
import type { FrameworkMapping } from '../model/types.js';

export const CATALOGUE_PATH = path.join('docs', 'checks.md');

const CATEGORY_TITLES: Readonly<Record<string, string>> = {
  'pod-security': 'Pod security',
  workload: 'Workloads',
  network: 'Network',
  rbac: 'RBAC',
  secrets: 'Secrets',
  resources: 'Resources',
};

const FRAMEWORK_NAMES: Readonly<Record<FrameworkMapping['framework'], string>> = {
  PSS: 'Pod Security Standards',
  CIS: 'CIS Kubernetes Benchmark',
  'NSA-CISA': 'NSA/CISA Kubernetes Hardening Guide',
  'MITRE-ATTACK': 'MITRE ATT&CK',
};

/** The anchor a check's documentation link points to: the fragment of `documentationLink(id)`. */
export function checkAnchor(id: string): string {
  const link = documentationLink(id);
  return link.slice(link.indexOf('#') + 1);
}

/** The anchor GitHub derives from a heading's text. */
export function githubHeadingSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

export function renderCheckCatalogue(metas: readonly CheckMeta[]): string {
  const out: string[] = [
    '<!-- Generated from check metadata by `npm run docs:checks` (src/docs/generateChecks.ts). Do not edit by hand. -->',
    '',
    '# Check catalogue',
    '',
    'Every check Rampart can report, generated from the metadata the checks declare. The same metadata feeds',
    '`rampart checks list` and the rule descriptors of the SARIF report, so the three never disagree.',
    '',
  ];
  if (metas.length === 0) {
    out.push('No checks are registered.', '');
    return out.join('\n');
  }
  const categories = groupByCategory(metas);
  out.push(`${metas.length} ${metas.length === 1 ? 'check' : 'checks'} in ${categories.length} ${categories.length === 1 ? 'category' : 'categories'}.`, '');
  out.push('## Contents', '');
  for (const [category, members] of categories) {
    out.push(`- [${escapeMarkdown(categoryTitle(category))}](#${githubHeadingSlug(categoryTitle(category))})`);
    for (const meta of members) out.push(`  - [${escapeMarkdown(meta.id)}](#${checkAnchor(meta.id)}): ${escapeMarkdown(meta.title)} (${meta.severity})`);
  }
  out.push('');
  for (const [category, members] of categories) {
    out.push(`## ${escapeMarkdown(categoryTitle(category))}`, '');
    for (const meta of members) out.push(...renderCheck(meta));
  }
  return out.join('\n');
}

function renderCheck(meta: CheckMeta): string[] {
  const anchor = checkAnchor(meta.id);
  const lines: string[] = [];
  // GitHub strips characters such as dots from heading anchors; an explicit anchor keeps the documentation link working.
  if (githubHeadingSlug(meta.id) !== anchor) lines.push(`<a id="${anchor}"></a>`, '');
  lines.push(`### ${escapeMarkdown(meta.id)}`, '');
  lines.push(`**${escapeMarkdown(meta.title)}**`, '');
  lines.push('| | |', '|---|---|');
  lines.push(`| Severity | ${meta.severity} |`);
  lines.push(`| Category | ${escapeTableCell(meta.category)} |`);
  lines.push(`| Frameworks | ${meta.frameworks.length === 0 ? 'none' : meta.frameworks.map(formatFramework).join('<br>')} |`);
  lines.push('');
  lines.push(meta.description, '');
  lines.push(`**Remediation.** ${meta.remediation}`, '');
  if (meta.fixable === true) lines.push('**Auto-fix.** `rampart fix` can make this change (see [fix.md](fix.md)).', '');
  return lines;
}

function formatFramework(mapping: FrameworkMapping): string {
  const name = FRAMEWORK_NAMES[mapping.framework] ?? mapping.framework;
  const id = mapping.framework === 'MITRE-ATTACK' && /^T\d{4}(\.\d{3})?$/.test(mapping.id) ? `[${mapping.id}](${mitreTechniqueUrl(mapping.id)})` : `\`${mapping.id}\``;
  return escapeTableCell(`${name}: ${id}${mapping.level !== undefined ? ` (${mapping.level})` : ''}`);
}

function mitreTechniqueUrl(id: string): string {
  return `https://attack.mitre.org/techniques/${id.replace('.', '/')}/`;
}

function groupByCategory(metas: readonly CheckMeta[]): Array<[string, CheckMeta[]]> {
  // Categories and checks keep the registry's order: the registry decides what comes first.
  const categories = new Map<string, CheckMeta[]>();
  for (const meta of metas) {
    const members = categories.get(meta.category);
    if (members === undefined) categories.set(meta.category, [meta]);
    else members.push(meta);
  }
  return [...categories];
}

function categoryTitle(category: string): string {
  const known = CATEGORY_TITLES[category];
  if (known !== undefined) return known;
  const words = category.replace(/[-_]+/g, ' ').trim();
  return words === '' ? 'Other' : words.charAt(0).toUpperCase() + words.slice(1);
}

function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*[\]<>|])/g, '\\$1');
}

function escapeTableCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

async function main(): Promise<void> {
  const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  const target = path.join(repoRoot, CATALOGUE_PATH);
  await writeFile(target, renderCheckCatalogue(allCheckMetas()));
  process.stdout.write(`wrote ${path.relative(process.cwd(), target) || target} (${allCheckMetas().length} checks)\n`);
}

// Run only as a script, so tests can import the renderer without writing the file.
if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
