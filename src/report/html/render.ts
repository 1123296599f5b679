/** One self-contained HTML file: the data as JSON, the stylesheet and the script inline, nothing fetched. */
import { THREAT_TEMPLATES } from '../../threat/catalogue.js';
import { gzipSync } from 'node:zlib';
import { reportClient, reportLoader } from './client.js';
import type { ReportData } from './data.js';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);
}

const STYLE = `
:root{--ink:#1f2933;--muted:#616e7c;--line:#d9e2ec;--bg:#f5f7fa;--card:#fff;--accent:#2563eb;--critical:#7f1d1d;--high:#c0392b;--medium:#d97706;--low:#2f855a;--info:#52606d;--open:#c0392b;--partly:#d97706;--mitigated:#2f855a;--unassessed:#7b8794}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
a{color:var(--accent)}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:6px;z-index:9}
header{background:#102a43;color:#fff;padding:18px 28px}
header h1{margin:0;font-size:22px}
header p{margin:4px 0 0;color:#bcccdc}
nav{background:#243b53;padding:0 28px;position:sticky;top:0;z-index:5}
nav a{color:#d9e2ec;display:inline-block;padding:10px 12px;text-decoration:none}
nav a:hover,nav a:focus{color:#fff;background:#334e68}
main{padding:20px 28px;max-width:1600px}
section{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:18px 20px;margin-bottom:22px}
/* Sections below the first screen are laid out when scrolled to: the large tables cost nothing at load. */
section+section{content-visibility:auto;contain-intrinsic-size:auto 900px}
h2{margin:0 0 12px;font-size:19px}
h3{font-size:15px;margin:14px 0 8px}
h4{margin:0 0 4px;font-size:13px;color:var(--muted)}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:12px;margin-bottom:16px}
.card{border:1px solid var(--line);border-radius:8px;padding:12px 14px}
.card .big{font-size:28px;font-weight:700;display:block}
.card .what{color:var(--muted)}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:20px}
ul.pills{list-style:none;padding:0;margin:0 0 10px;display:flex;flex-wrap:wrap;gap:8px}
.pills li{border-radius:14px;padding:3px 11px;color:#fff;font-weight:600}
.sev-critical{background:var(--critical)}.sev-high{background:var(--high)}.sev-medium{background:var(--medium)}.sev-low{background:var(--low)}.sev-info{background:var(--info)}
.status-open,.st-open.badge{background:var(--open)}.status-partly,.st-partly.badge{background:var(--partly)}.status-mitigated,.st-mitigated.badge{background:var(--mitigated)}.status-unassessed,.st-unassessed.badge{background:var(--unassessed)}
.badge{display:inline-block;color:#fff;border-radius:4px;padding:1px 7px;font-size:12px;font-weight:600;text-transform:uppercase}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
thead th{background:#f0f4f8;position:sticky;top:40px}
td.num{text-align:right;white-space:nowrap}
.bar{display:inline-block;width:100%;min-width:120px;height:10px;background:#e4e7eb;border-radius:5px;overflow:hidden}
.fill{display:block;height:100%}.fill.good{background:var(--mitigated)}.fill.fair{background:var(--partly)}.fill.poor{background:var(--open)}
.score-poor{color:var(--open);font-weight:700}.score-fair{color:var(--partly);font-weight:700}.score-good{color:var(--mitigated);font-weight:700}
.muted{color:var(--muted)}.load-error{background:#fee2e2;border:1px solid #c0392b;padding:10px;border-radius:6px}.small{font-size:12px;display:block}abbr{text-decoration:none;font-weight:700}
.loc{color:var(--muted);font-family:ui-monospace,monospace;font-size:12px;word-break:break-all}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px}
pre{background:#f0f4f8;padding:8px;border-radius:6px;white-space:pre-wrap}
.tag{display:inline-block;background:#e6f0ff;color:#1e3a8a;border-radius:4px;padding:0 6px;margin:1px 0;font-size:12px}
.tag.ms{background:#f3e8ff;color:#5b21b6}
.controls{display:flex;flex-wrap:wrap;gap:10px;align-items:end;margin-bottom:10px}
label{display:flex;flex-direction:column;font-size:12px;color:var(--muted);gap:2px}
input,select,button{font:inherit}
input[type=search],select{padding:6px 8px;border:1px solid #9aa5b1;border-radius:6px;min-width:170px}
button{cursor:pointer;border:1px solid #9aa5b1;background:#fff;border-radius:6px;padding:5px 11px}
button[aria-pressed=true]{background:#102a43;color:#fff;border-color:#102a43}
button.link{border:none;background:none;color:var(--accent);text-decoration:underline;padding:0}
button:disabled{opacity:.45;cursor:default}
:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
tr.detail td{background:#f8fafc}
.detail-grid{display:grid;grid-template-columns:1fr 1fr 1fr;gap:16px}
.pager{display:flex;gap:10px;align-items:center;margin-top:10px}
.diagram{overflow:auto;border:1px solid var(--line);border-radius:8px;background:#fcfdfe;max-height:760px}
svg text{font:12px system-ui,sans-serif;fill:var(--ink)}
.boundary{fill:none;stroke:#9aa5b1;stroke-dasharray:6 4}
.b-cluster{stroke:#102a43;stroke-width:1.5;fill:#f8fbff}.b-node{fill:#eef2f7}.b-namespace{fill:#fff;stroke:#627d98}.b-pod{fill:#f5f7fa;stroke:#bcccdc}
.boundary-label{font-size:11px!important;fill:var(--muted)!important;font-weight:600}
.el rect{fill:#fff;stroke:#627d98;stroke-width:1.2}
.el.assumed rect{stroke-dasharray:4 3;fill:#f8fafc}
.el-actor rect{fill:#fff7ed;stroke:#b45309}.el-registry rect{fill:#f0fdf4;stroke:#2f855a}.el-control-plane rect,.el-node-component rect{fill:#eff6ff;stroke:#2563eb}
.el-entry-point rect{fill:#fefce8}.el-secret rect{fill:#fdf2f8;stroke:#9d174d}.el-service-account rect{fill:#f5f3ff;stroke:#6d28d9}
.el.st-open rect{stroke:var(--open);stroke-width:3}.el.st-partly rect{stroke:var(--partly);stroke-width:2.2}
.el{cursor:pointer}.el:focus rect,.el:hover rect{fill:#fde68a}
.flow{fill:none;stroke:#9aa5b1;stroke-width:1;opacity:.6}.flow.life{stroke:#2563eb;stroke-width:2;opacity:.9}.flow.quiet{display:none}.flow.picked{display:inline;stroke:#b45309;stroke-width:2.5;opacity:1}
.legend{display:flex;flex-wrap:wrap;gap:14px;font-size:12px;color:var(--muted);margin:6px 0 10px}
.legend span::before{content:"";display:inline-block;width:12px;height:12px;margin-right:5px;vertical-align:-2px;border:2px solid currentColor;border-radius:3px}
.lg-open{color:var(--open)}.lg-partly{color:var(--partly)}.lg-life{color:#2563eb}.lg-assumed::before{border-style:dashed!important}
.ag-edge{fill:none;stroke:#bcccdc;stroke-width:1.5}.ag-edge.hot{stroke:var(--open);stroke-width:3.5}
.ag-node rect{fill:#fff;stroke:#9aa5b1}.ag-node.k-jewel rect{fill:#fee2e2;stroke:#991b1b}.ag-node.k-entry rect{fill:#fff7ed;stroke:#b45309}.ag-node.k-workload rect{fill:#eff6ff;stroke:#2563eb}
.ag-node.hot rect{stroke:var(--open);stroke-width:3}
.attack{display:grid;grid-template-columns:340px 1fr;gap:18px}.attack>div{min-width:0}
.diagram svg{display:block;margin:0 auto}.diagram.fit svg{max-width:100%;height:auto}
.box-label rect{fill:#fff;stroke:none}.box-label{cursor:pointer}.box-label:focus rect,.box-label:hover rect{fill:#fde68a}.box-label.st-open text{fill:var(--open)!important}.box-label.st-partly text{fill:var(--partly)!important}
.boundary.st-open{stroke:var(--open);stroke-width:2.5}.boundary.st-partly{stroke:var(--partly);stroke-width:2}
#path-list{list-style:none;padding:0;margin:0;max-height:520px;overflow:auto}
#path-list li{margin-bottom:6px}
.path-button{width:100%;text-align:left}
.change{margin:4px 0 0;color:#1e3a8a;font-weight:600}
ul.evidence{margin:4px 0 0;padding-left:18px}
#recommendations,#top-cuts{padding-left:22px}
ul.plain{list-style:none;padding:0;margin:0}ul.plain li{margin-bottom:5px}
.first{margin-top:14px}.more{margin-top:10px}
.cut{display:inline-block;background:#102a43;color:#fff;border-radius:4px;padding:0 7px;margin-right:6px;font-size:12px}
@media (max-width:1000px){.grid2,.attack,.detail-grid{grid-template-columns:1fr}}
@media print{*{-webkit-print-color-adjust:exact;print-color-adjust:exact}section+section{content-visibility:visible}nav,.controls,.pager,#threat-filters,button.link,.skip{display:none!important}body{background:#fff}section{break-inside:avoid-page;border:none;padding:0}thead th{position:static}.diagram{max-height:none;overflow:visible;border:none}svg{max-width:100%;height:auto}tr.detail[hidden]{display:none}header{background:#fff;color:#000;border-bottom:2px solid #000}header p{color:#333}}
`;

const EVIDENCE_PER_CHECK = 2;
const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low', 'info'];

/**
 * What the page needs, smaller than the JSON report: a check's frameworks are
 * kept once per check instead of once per finding, threats keep only their
 * failing evidence (descriptions once per kind of threat), and the attack graph
 * only the vertices of its paths. The real-world corpus's report shrinks by
 * more than half, which is most of its load time.
 */
export function htmlPayload(data: ReportData): unknown {
  const checkFrameworks = new Map<string, readonly string[]>();
  for (const finding of data.findings) if (data.checks[finding.checkId] !== undefined && !checkFrameworks.has(finding.checkId)) checkFrameworks.set(finding.checkId, finding.frameworks);
  const checks = Object.fromEntries(Object.entries(data.checks).map(([id, info]) => [id, { ...info, frameworks: checkFrameworks.get(id) ?? [] }]));
  // Findings as rows of a table: strings that repeat (files, kinds, namespaces) by index.
  const strings: string[] = [];
  const stringIndex = new Map<string, number>();
  const intern = (text: string): number => {
    let at = stringIndex.get(text);
    if (at === undefined) {
      at = strings.length;
      strings.push(text);
      stringIndex.set(text, at);
    }
    return at;
  };
  const findings = data.findings.map((finding) => [
    intern(finding.checkId),
    SEVERITY_ORDER.indexOf(finding.severity),
    finding.message,
    intern(finding.kind),
    intern(finding.namespace),
    finding.name,
    intern(finding.file),
    finding.line,
    checkFrameworks.has(finding.checkId) ? 0 : finding.frameworks.map(intern),
    finding.fix ?? 0,
    checkFrameworks.has(finding.checkId) ? 0 : intern(finding.title),
  ]);
  const templates: Record<string, { title: string; stride: string; attack: readonly string[]; msMatrix: readonly string[]; description: string; mitigations: readonly string[]; primary: readonly string[] }> = {};
  const threats = data.threatModel.threats.map((threat) => {
    templates[threat.template] ??= { title: threat.title, stride: threat.stride, attack: threat.attack, msMatrix: threat.msMatrix, description: threat.description, mitigations: threat.mitigations, primary: THREAT_TEMPLATES.find((entry) => entry.id === threat.template)?.primary ?? threat.mitigations };
    return {
      template: threat.template,
      target: threat.target,
      targetLabel: threat.targetLabel,
      status: threat.status,
      // A mitigated threat's reason lists every passing check: the page says so in fewer bytes.
      ...(threat.status === 'mitigated' || threat.reason.startsWith('failing: ') ? {} : { reason: threat.reason }),
      failing: threat.evidence
        .filter((entry) => entry.result === 'fail')
        .map((entry) => ({ checkId: entry.checkId, findings: entry.findings.slice(0, EVIDENCE_PER_CHECK).map((finding) => ({ message: finding.message, file: intern(finding.location.file), line: finding.location.line })) })),
    };
  });
  const flows = data.threatModel.flows.map((flow) => ({ ...flow, controls: flow.controls.map((control) => ({ control: control.control, state: control.state })) }));
  const used = new Set(data.attackGraph.paths.flatMap((path) => path.steps.flatMap((step) => [step.from, step.to])));
  return {
    ...data,
    checks,
    strings,
    findings,
    threatModel: { ...data.threatModel, flows, threats, templates },
    attackGraph: { ...data.attackGraph, vertices: data.attackGraph.vertices.filter((vertex) => used.has(vertex.id)) },
  };
}

export function renderHtmlReport(data: ReportData): string {
  const title = `Rampart report — ${data.inputs.join(', ') || 'input'}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<a class="skip" href="#findings">Skip to the findings</a>
<header><h1>Rampart security report</h1><p>${escapeHtml(data.inputs.join(', '))} · ${escapeHtml(data.tool.name)} ${escapeHtml(data.tool.version)} · ${escapeHtml(data.generatedAt)}</p></header>
<nav aria-label="Report sections"><a href="#overview">Overview</a><a href="#threat-model">Threat model</a><a href="#attack-graph">Attack graph</a><a href="#findings">Findings</a></nav>
<main>
<p id="load-error" class="load-error" role="alert" hidden></p>
<section id="overview" aria-labelledby="overview-title">
<h2 id="overview-title">Posture overview</h2>
<div class="cards">
<div class="card"><span class="big" id="count-objects">–</span><span class="what">objects scanned</span></div>
<div class="card"><span class="big" id="count-findings">–</span><span class="what">findings</span></div>
<div class="card"><span class="big" id="count-open">–</span><span class="what">open threats</span></div>
<div class="card"><span class="big" id="count-paths">–</span><span class="what">attack paths to crown jewels</span></div>
</div>
<ul class="pills" id="severity-counts" aria-label="Findings by severity"></ul>
<ul class="pills" id="threat-counts" aria-label="Threats by status"></ul>
<div class="grid2">
<div><h3>Scores by framework</h3><table><thead><tr><th scope="col">framework</th><th scope="col" class="num">score</th><th scope="col">passing checks</th><th scope="col" class="num">passed / judged</th></tr></thead><tbody id="framework-scores"></tbody></table></div>
<div><h3>Scores by namespace</h3><table><thead><tr><th scope="col">namespace</th><th scope="col" class="num">score</th><th scope="col">passing checks</th><th scope="col" class="num">passed / judged</th></tr></thead><tbody id="namespace-scores"></tbody></table><p class="muted">Lowest scores first.</p><button type="button" id="namespaces-all" hidden></button></div>
</div>
<div class="grid2 first">
<div><h3>Open threats</h3><ul id="open-threats" class="plain"></ul></div>
<div><h3>Changes that cut most attack paths</h3><ol id="top-cuts"></ol></div>
</div>
<p class="muted">A score is the share of (object, check) judgements that passed. ${data.bench === undefined ? 'No node benchmark results were given: CIS covers the manifest controls only.' : `CIS includes the node benchmark ${escapeHtml(data.bench.benchmark)} from ${escapeHtml(data.bench.file)}.`}</p>
</section>
<section id="threat-model" aria-labelledby="tm-title">
<h2 id="tm-title">Threat model</h2>
<p class="muted">Elements in their trust boundaries (cluster, nodes, namespaces, pods); blue arrows are the steps of a workload's life. Pick an element to list its threats and show its flows (on a large cluster the pods' calls to the API server appear only then). ${data.threatModel.assumptions.map(escapeHtml).join(' ')}</p>
<div class="legend"><span class="lg-open">open threat</span><span class="lg-partly">partly mitigated</span><span class="lg-assumed">assumed (not in the input) *</span><span class="lg-life">workload life cycle</span></div>
<div class="controls"><button type="button" id="tm-zoom" aria-pressed="false">Actual size</button></div>
<div class="diagram fit" id="tm-frame"><svg id="tm-svg" role="group" aria-label="Threat model diagram" xmlns="http://www.w3.org/2000/svg"></svg></div>
<div class="controls" id="threat-filters" role="group" aria-label="Show threats by status">
<button type="button" data-status="open" aria-pressed="true">Open</button><button type="button" data-status="partly" aria-pressed="false">Partly mitigated</button><button type="button" data-status="mitigated" aria-pressed="false">Mitigated</button><button type="button" data-status="unassessed" aria-pressed="false">Unassessed</button><button type="button" data-status="" aria-pressed="false">All</button>
<button type="button" id="clear-element" hidden>Show every element</button>
</div>
<p id="threats-count" class="muted" aria-live="polite"></p>
<table><thead><tr><th scope="col">status</th><th scope="col">STRIDE</th><th scope="col">threat</th><th scope="col">ATT&amp;CK · MS matrix</th><th scope="col">evidence</th></tr></thead><tbody id="threats-body"></tbody></table>
<button type="button" id="threats-more" class="more" hidden></button>
</section>
<section id="attack-graph" aria-labelledby="ag-title">
<h2 id="ag-title">Attack graph</h2>
<p class="muted">Shortest paths from entry points (the internet, a compromised workload, a stolen identity) to crown jewels. Choose a path to highlight it.</p>
<div class="attack">
<div><h3>Paths</h3><ul id="path-list"></ul></div>
<div><div class="diagram fit"><svg id="ag-svg" role="img" aria-label="Attack graph: the chosen path" xmlns="http://www.w3.org/2000/svg"></svg></div><p id="ag-caption" class="muted"></p><div id="path-detail" aria-live="polite"></div></div>
</div>
<h3>Changes that cut the paths</h3>
<p class="muted">${escapeHtml(data.attackGraph.notes[1] ?? '')}</p>
<ol id="recommendations"></ol>
</section>
<section id="findings" aria-labelledby="findings-title">
<h2 id="findings-title">Findings</h2>
<div class="controls">
<label>Search<input type="search" id="filter-search" placeholder="check, object, message, file"></label>
<label>Severity<select id="filter-severity"><option value="">all severities</option><option>critical</option><option>high</option><option>medium</option><option>low</option><option>info</option></select></label>
<label>Namespace<select id="filter-namespace"></select></label>
<label>Framework<select id="filter-framework"></select></label>
</div>
<p id="findings-count" class="muted" aria-live="polite"></p>
<table><thead><tr><th scope="col">severity</th><th scope="col">check</th><th scope="col">object</th><th scope="col">message</th><th scope="col">location</th><th scope="col"><span class="muted">more</span></th></tr></thead><tbody id="findings-body"></tbody></table>
<div class="pager"><button type="button" id="page-prev">Previous page</button><span id="page-info"></span><button type="button" id="page-next">Next page</button></div>
</section>
</main>
<script type="application/octet-stream" id="report-data" data-encoding="gzip+base64">${gzipSync(JSON.stringify(htmlPayload(data)), { level: 6 }).toString('base64')}</script>
<script>(${reportLoader.toString()})(${reportClient.toString()});</script>
</body>
</html>
`;
}
