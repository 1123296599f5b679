/**
 * The report's script, run in the browser. It is compiled with the rest of
 * Rampart and inlined with `Function.prototype.toString`, so the report needs
 * nothing at view time: no CDN, no library. Everything it uses is declared
 * inside the function. The DOM is typed loosely (`any`): Rampart compiles
 * without the DOM library, and this is the one file that touches it.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
export function reportLoader(render: (data: unknown) => void): void {
  const doc: any = (globalThis as any).document;
  const scope: any = globalThis;
  scope.performance.mark('rampart:start');
  const element = doc.getElementById('report-data');
  const fail = (reason: string): void => {
    doc.getElementById('load-error').hidden = false;
    doc.getElementById('load-error').textContent = `The report could not be opened: ${reason}`;
  };
  if (typeof scope.DecompressionStream !== 'function') {
    fail('this browser has no DecompressionStream (Chromium 80, Firefox 113 and Safari 16.4 and later have it).');
    return;
  }
  // The data is gzip-compressed JSON in base64: a tenth of the bytes for the browser to read.
  const binary = scope.atob(element.textContent.trim());
  const bytes = new Uint8Array(binary.length);
  for (let at = 0; at < binary.length; at++) bytes[at] = binary.charCodeAt(at);
  scope.performance.mark('rampart:decoded');
  new scope.Response(new scope.Blob([bytes]).stream().pipeThrough(new scope.DecompressionStream('gzip')))
    .text()
    .then((text: string) => {
      scope.performance.mark('rampart:inflated');
      const data = JSON.parse(text);
      scope.performance.mark('rampart:parsed');
      render(data);
    })
    .catch((error: unknown) => fail(String(error)));
}

export function reportClient(data: any): void {
  const doc: any = (globalThis as any).document;
  const performance: any = (globalThis as any).performance;
  const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'];
  const PAGE_SIZE = 50;
  const SVG = 'http://www.w3.org/2000/svg';

  const esc = (value: unknown): string =>
    String(value).replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] as string);
  const byId = (id: string): any => doc.getElementById(id);
  const svgEl = (name: string, attributes: Record<string, string | number>, text?: string): any => {
    const element = doc.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
    if (text !== undefined) element.textContent = text;
    return element;
  };
  const clip = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

  // ---- Overview.
  const summary = data.summary;
  byId('count-objects').textContent = String(summary.objects);
  byId('count-findings').textContent = String(summary.findings);
  byId('count-open').textContent = String(data.threatModel.summary.open);
  byId('count-paths').textContent = String(data.attackGraph.totalPaths);
  byId('severity-counts').innerHTML = SEVERITIES.map(
    (severity) => `<li class="sev sev-${severity}"><span class="sev-name">${severity}</span> <span class="sev-count" data-severity="${severity}">${summary.bySeverity[severity]}</span></li>`,
  ).join('');
  const scoreRow = (score: any): string => {
    const value = score.score === undefined || score.score === null ? undefined : Number(score.score);
    const tone = value === undefined ? 'none' : value >= 90 ? 'good' : value >= 70 ? 'fair' : 'poor';
    const bar = value === undefined ? '<span class="muted">not judged</span>' : `<span class="bar"><span class="fill ${tone}" style="width:${value}%"></span></span>`;
    return `<tr><th scope="row">${esc(score.name)}</th><td class="num score-${tone}">${value === undefined ? '—' : `${value}%`}</td><td>${bar}</td><td class="num muted">${score.passed} / ${score.judged}</td></tr>`;
  };
  byId('framework-scores').innerHTML = data.frameworks.map(scoreRow).join('');
  const NAMESPACE_ROWS = 12;
  const byScore = [...data.namespaces].sort((a: any, b: any) => (a.score ?? 101) - (b.score ?? 101) || (a.name < b.name ? -1 : 1));
  const showNamespaces = (all: boolean): void => {
    byId('namespace-scores').innerHTML = (all ? byScore : byScore.slice(0, NAMESPACE_ROWS)).map(scoreRow).join('');
    byId('namespaces-all').hidden = all || byScore.length <= NAMESPACE_ROWS;
  };
  byId('namespaces-all').textContent = `Show all ${byScore.length} namespaces`;
  byId('namespaces-all').addEventListener('click', () => showNamespaces(true));
  showNamespaces(false);
  const statusCounts = data.threatModel.summary;
  byId('threat-counts').innerHTML = ['open', 'partly', 'mitigated', 'unassessed']
    .map((status) => `<li class="status status-${status}"><span>${status === 'partly' ? 'partly mitigated' : status}</span> <b data-status="${status}">${statusCounts[status]}</b></li>`)
    .join('');

  const STRIDE: Record<string, string> = { S: 'Spoofing', T: 'Tampering', R: 'Repudiation', I: 'Information disclosure', D: 'Denial of service', E: 'Elevation of privilege' };
  const openThreats = data.threatModel.threats.filter((threat: any) => threat.status === 'open');
  byId('open-threats').innerHTML =
    openThreats.length === 0
      ? '<li class="muted">No open threat.</li>'
      : openThreats
          .slice(0, 8)
          .map((threat: any) => `<li><span class="badge st-open">open</span> <a href="#threat-model">${esc(data.threatModel.templates[threat.template].title)}</a> <span class="muted">— ${esc(threat.targetLabel)}</span></li>`)
          .join('') + (openThreats.length > 8 ? `<li class="muted">… and ${openThreats.length - 8} more</li>` : '');
  byId('top-cuts').innerHTML =
    data.attackGraph.recommendations.length === 0
      ? '<li class="muted">No attack path to cut.</li>'
      : data.attackGraph.recommendations.slice(0, 5).map((entry: any) => `<li><span class="cut">cuts ${entry.pathsCut}</span> ${esc(entry.change)}</li>`).join('');
  performance.mark('rampart:overview');
  // ---- Findings table: filtered, sorted and paginated in memory; only one page is in the DOM.
  const checks = data.checks;
  const strings: string[] = data.strings;
  // Rows of the findings table, as htmlPayload wrote them.
  const findings: any[] = data.findings.map((row: any[]) => ({
    checkId: strings[row[0]],
    severity: SEVERITIES[row[1]],
    message: row[2],
    kind: strings[row[3]],
    namespace: strings[row[4]],
    name: row[5],
    file: strings[row[6]],
    line: row[7],
    frameworks: row[8] === 0 ? undefined : row[8].map((at: number) => strings[at]),
    fix: row[9] === 0 ? undefined : row[9],
    title: row[10] === 0 ? (checks[strings[row[0]] as string]?.title ?? '') : strings[row[10]],
  }));
  const namespaces = [...new Set(findings.map((finding) => finding.namespace || '(cluster-wide)'))].sort();
  byId('filter-namespace').innerHTML = `<option value="">all namespaces</option>${namespaces.map((name) => `<option>${esc(name)}</option>`).join('')}`;
  const frameworkNames = ['PSS', 'CIS', 'NSA-CISA', 'MITRE-ATTACK'];
  byId('filter-framework').innerHTML = `<option value="">all frameworks</option>${frameworkNames.map((name) => `<option>${name}</option>`).join('')}`;
  const frameworksOf = (finding: any): string[] => finding.frameworks ?? checks[finding.checkId]?.frameworks ?? [];
  let filtered = findings;
  let page = 0;
  const applyFilters = (): void => {
    const query = String(byId('filter-search').value).trim().toLowerCase();
    const severity = byId('filter-severity').value;
    const namespace = byId('filter-namespace').value;
    const framework = byId('filter-framework').value;
    filtered = findings.filter(
      (finding) =>
        (severity === '' || finding.severity === severity) &&
        (namespace === '' || (finding.namespace || '(cluster-wide)') === namespace) &&
        (framework === '' || frameworksOf(finding).some((label: string) => label.startsWith(`${framework} `))) &&
        (query === '' || `${finding.checkId} ${finding.title} ${finding.message} ${finding.kind} ${finding.namespace}/${finding.name} ${finding.file}`.toLowerCase().includes(query)),
    );
    page = 0;
    renderFindings();
  };
  const fixText = (edits: any[]): string =>
    edits
      .map((edit) => {
        const at = edit.path.map((segment: unknown) => (typeof segment === 'number' ? `[${segment}]` : `.${String(segment)}`)).join('').replace(/^\./, '');
        return edit.op === 'set' ? `set ${at} = ${JSON.stringify(edit.value)}` : edit.op === 'delete' ? `delete ${at}` : edit.op === 'append' ? `add ${JSON.stringify(edit.value)} to ${at}` : `set ${at} to the configured ${edit.setting}`;
      })
      .join('\n');
  const renderFindings = (): void => {
    const pages = Math.max(1, Math.ceil(filtered.length / PAGE_SIZE));
    if (page >= pages) page = pages - 1;
    const slice = filtered.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
    byId('findings-body').innerHTML = slice
      .map((finding, at) => {
        const index = page * PAGE_SIZE + at;
        const check = checks[finding.checkId];
        const detail = `<tr class="detail" id="detail-${index}" hidden><td colspan="6"><div class="detail-grid">
          <div><h4>What it means</h4><p>${esc(check?.description ?? finding.title)}</p></div>
          <div><h4>Remediation</h4><p>${esc(check?.remediation ?? 'See the benchmark remediation.')}</p>
          ${finding.fix !== undefined ? `<h4>Fix (<code>rampart fix</code> applies it)</h4><pre>${esc(fixText(finding.fix))}</pre>` : ''}</div>
          <div><h4>Frameworks</h4><p>${frameworksOf(finding).map((label: string) => `<span class="tag">${esc(label)}</span>`).join(' ') || '—'}</p></div></div></td></tr>`;
        return `<tr class="row"><td><span class="badge sev-${finding.severity}">${finding.severity}</span></td><td><code>${esc(finding.checkId)}</code></td>
          <td>${esc(finding.kind)} ${esc(finding.namespace ? `${finding.namespace}/` : '')}${esc(finding.name)}</td><td>${esc(finding.message)}</td>
          <td class="loc">${esc(finding.file)}:${finding.line}</td>
          <td><button type="button" class="link" aria-expanded="false" aria-controls="detail-${index}" data-detail="${index}">Details</button></td></tr>${detail}`;
      })
      .join('');
    byId('findings-count').textContent = `${filtered.length} of ${findings.length} findings`;
    byId('page-info').textContent = `page ${page + 1} of ${pages}`;
    byId('page-prev').disabled = page === 0;
    byId('page-next').disabled = page >= pages - 1;
  };
  byId('findings-body').addEventListener('click', (event: any) => {
    const button = event.target.closest('button[data-detail]');
    if (button === null) return;
    const row = byId(`detail-${button.dataset.detail}`);
    const open = row.hidden;
    row.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
  });
  for (const id of ['filter-search', 'filter-severity', 'filter-namespace', 'filter-framework']) byId(id).addEventListener('input', applyFilters);
  byId('page-prev').addEventListener('click', () => {
    page--;
    renderFindings();
  });
  byId('page-next').addEventListener('click', () => {
    page++;
    renderFindings();
  });
  const severityRank = (severity: string): number => SEVERITIES.indexOf(severity);
  findings.sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  applyFilters();

  performance.mark('rampart:findings');
  // ---- Threat model diagram: actors and registries outside, the cluster with its nodes and namespaces.
  const model = data.threatModel;
  for (const threat of model.threats) {
    const template = model.templates[threat.template];
    threat.title = template.title;
    threat.stride = template.stride;
    threat.attack = template.attack;
    threat.msMatrix = template.msMatrix;
    threat.reason ??= threat.status === 'open' ? `failing: ${threat.failing.filter((entry: any) => template.primary.includes(entry.checkId)).map((entry: any) => entry.checkId).join(', ')}` : 'every mitigating check that judged it passes';
  }
  const worst = new Map<string, string>();
  const rank: Record<string, number> = { open: 3, partly: 2, mitigated: 1, unassessed: 0 };
  for (const threat of model.threats) if ((rank[threat.status] ?? 0) > (rank[worst.get(threat.target) ?? 'unassessed'] ?? 0)) worst.set(threat.target, threat.status);
  const NODE_W = 168;
  const NODE_H = 36;
  const GAP = 14;
  const position = new Map<string, { x: number; y: number }>();
  const svg = byId('tm-svg');
  const layer = { boxes: svgEl('g', {}), flows: svgEl('g', { class: 'flows' }), nodes: svgEl('g', {}) };
  const node = (element: any, x: number, y: number): void => {
    position.set(element.id, { x: x + NODE_W / 2, y: y + NODE_H / 2 });
    const status = worst.get(element.id) ?? 'none';
    const group = svgEl('g', { class: `el el-${element.kind} st-${status}${element.assumed ? ' assumed' : ''}`, tabindex: 0, role: 'button', 'data-element': element.id, 'aria-label': `${element.label}${element.assumed ? ' (assumed)' : ''}: ${status === 'none' ? 'no threats' : `worst threat ${status}`}` });
    group.appendChild(svgEl('rect', { x, y, width: NODE_W, height: NODE_H, rx: element.kind === 'actor' ? 18 : 5 }));
    group.appendChild(svgEl('text', { x: x + NODE_W / 2, y: y + NODE_H / 2 + 4, 'text-anchor': 'middle' }, clip(element.label + (element.assumed ? ' *' : ''), 26)));
    group.appendChild(svgEl('title', {}, `${element.label}${element.notes ? `\n${element.notes.join('\n')}` : ''}`));
    layer.nodes.appendChild(group);
  };
  const box = (x: number, y: number, w: number, h: number, label: string, kind: string, elementId?: string): void => {
    const status = elementId === undefined ? 'none' : (worst.get(elementId) ?? 'none');
    layer.boxes.appendChild(svgEl('rect', { x, y, width: w, height: h, rx: 8, class: `boundary b-${kind} st-${status}` }));
    if (elementId === undefined) {
      layer.boxes.appendChild(svgEl('text', { x: x + 8, y: y + 15, class: 'boundary-label' }, label));
      return;
    }
    // The boundary's own element (a namespace, a node) is picked through its label.
    const group = svgEl('g', { class: `box-label st-${status}`, tabindex: 0, role: 'button', 'data-element': elementId, 'aria-label': `${label}: ${status === 'none' ? 'no threats' : `worst threat ${status}`}` });
    group.appendChild(svgEl('rect', { x: x + 2, y: y + 2, width: Math.min(w - 4, label.length * 7 + 16), height: 18, rx: 4 }));
    group.appendChild(svgEl('text', { x: x + 8, y: y + 15, class: 'boundary-label' }, label));
    layer.nodes.appendChild(group);
  };
  const elements: any[] = model.elements;
  const inside = (boundary: string): any[] => elements.filter((element) => element.boundary === boundary);
  // Left column: actors and registries.
  let y = 40;
  for (const element of elements.filter((entry) => entry.boundary === undefined)) {
    node(element, 10, y);
    y += NODE_H + GAP;
  }
  const clusterX = NODE_W + 60;
  let cursorY = 40;
  const MAX_WIDTH = 1240;
  // Nodes row.
  const nodeBoxes = [
    { id: 'node:control-plane', label: 'control-plane node' },
    { id: 'node:worker', label: 'worker node' },
  ];
  let nodeX = clusterX + 16;
  let rowHeight = 0;
  for (const entry of nodeBoxes) {
    const members = inside(entry.id).filter((element) => element.kind !== 'node');
    const columns = 2;
    const w = columns * (NODE_W + GAP) + GAP;
    const h = 24 + Math.ceil(members.length / columns) * (NODE_H + GAP) + GAP;
    box(nodeX, cursorY + 16, w, h, entry.label, 'node', entry.id);
    members.forEach((element, at) => node(element, nodeX + GAP + (at % columns) * (NODE_W + GAP), cursorY + 40 + Math.floor(at / columns) * (NODE_H + GAP)));
    nodeX += w + 20;
    rowHeight = Math.max(rowHeight, h);
  }
  cursorY += rowHeight + 36;
  // Namespaces in a grid: entry points, then pods, then identities and Secrets.
  const namespaceIds = model.boundaries.filter((boundary: any) => boundary.kind === 'namespace');
  const MAX_NAMESPACES = 24;
  const PER_LINE = 5;
  const MAX_PODS = 10;
  const CELL = NODE_W + GAP + 8;
  let x = clusterX + 16;
  let rowMax = 0;
  for (const namespace of namespaceIds.slice(0, MAX_NAMESPACES)) {
    const podBoundaries = model.boundaries.filter((boundary: any) => boundary.kind === 'pod' && boundary.parent === namespace.id);
    const pods = podBoundaries.map((pod: any) => inside(pod.id)[0]).filter((element: any) => element !== undefined);
    const groups = [
      { elements: inside(namespace.id).filter((element) => element.kind === 'entry-point').slice(0, MAX_PODS), height: NODE_H + GAP, pod: false },
      { elements: pods.slice(0, MAX_PODS), height: NODE_H + 30, pod: true },
      { elements: inside(namespace.id).filter((element) => element.kind === 'service-account' || element.kind === 'secret').slice(0, MAX_PODS), height: NODE_H + GAP, pod: false },
    ];
    const hidden = pods.length - Math.min(pods.length, MAX_PODS);
    const widest = Math.max(1, ...groups.map((group) => Math.min(PER_LINE, group.elements.length)));
    const w = widest * CELL + GAP;
    const lines = (count: number): number => Math.ceil(count / PER_LINE);
    const h = 28 + groups.reduce((sum, group) => sum + lines(group.elements.length) * group.height, 0) + GAP + (hidden > 0 ? 16 : 0);
    if (x + w > clusterX + MAX_WIDTH && x > clusterX + 16) {
      x = clusterX + 16;
      cursorY += rowMax + 20;
      rowMax = 0;
    }
    box(x, cursorY, w, h, namespace.label, 'namespace', `namespace:${namespace.id.slice(3)}`);
    let rowY = cursorY + 28;
    for (const group of groups) {
      group.elements.forEach((element: any, at: number) => {
        const elementX = x + GAP + (at % PER_LINE) * CELL;
        const elementY = rowY + Math.floor(at / PER_LINE) * group.height;
        if (group.pod) {
          // The pod boundary, naming the container boundaries inside it.
          const containers = model.boundaries.filter((boundary: any) => boundary.parent === element.boundary).map((boundary: any) => boundary.label.replace(/^container /, ''));
          box(elementX - 4, elementY, NODE_W + 8, NODE_H + 24, clip(`pod ▸ ${containers.join(' ▸ ') || 'no containers'}`, 30), 'pod');
          node(element, elementX, elementY + 20);
        } else node(element, elementX, elementY);
      });
      rowY += lines(group.elements.length) * group.height;
    }
    if (hidden > 0) layer.boxes.appendChild(svgEl('text', { x: x + GAP, y: rowY + 8, class: 'boundary-label' }, `+ ${hidden} more workloads`));
    x += w + 20;
    rowMax = Math.max(rowMax, h);
  }
  cursorY += rowMax + 20;
  if (namespaceIds.length > MAX_NAMESPACES) {
    layer.boxes.appendChild(svgEl('text', { x: clusterX + 16, y: cursorY + 4, class: 'boundary-label' }, `… and ${namespaceIds.length - MAX_NAMESPACES} more namespaces (see the threats table)`));
    cursorY += 20;
  }
  const width = Math.max(nodeX, clusterX + MAX_WIDTH) + 20;
  layer.boxes.insertBefore(svgEl('rect', { x: clusterX, y: 8, width: width - clusterX - 10, height: cursorY, rx: 10, class: 'boundary b-cluster' }), layer.boxes.firstChild);
  layer.boxes.insertBefore(svgEl('text', { x: clusterX + 10, y: 26, class: 'boundary-label' }, 'cluster'), layer.boxes.childNodes[1]);
  const defs = svgEl('defs', {});
  for (const [id, colour] of [['arrow', '#7b8794'], ['arrow-life', '#2563eb'], ['arrow-attack', '#c0392b']]) {
    const marker = svgEl('marker', { id: id!, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 9, markerHeight: 9, markerUnits: 'userSpaceOnUse', orient: 'auto-start-reverse' });
    marker.appendChild(svgEl('path', { d: 'M0,0 L10,5 L0,10 z', fill: colour! }));
    defs.appendChild(marker);
  }
  svg.appendChild(defs);
  const crowded = elements.filter((element) => element.kind === 'workload' && position.has(element.id)).length > 12;
  for (const flow of model.flows) {
    const from = position.get(flow.from);
    const to = position.get(flow.to);
    if (from === undefined || to === undefined) continue;
    // On a large cluster the pods' calls to the API server would hide the drawing: they appear when their pod is picked.
    const quiet = crowded && flow.to === 'component:kube-apiserver' && flow.from.startsWith('workload:');
    const line = svgEl('path', {
      d: `M${from.x},${from.y} C${(from.x + to.x) / 2},${from.y} ${(from.x + to.x) / 2},${to.y} ${to.x},${to.y}`,
      class: `flow${flow.lifecycle ? ' life' : ''}${quiet ? ' quiet' : ''}`,
      'data-from': flow.from,
      'data-to': flow.to,
      'marker-end': `url(#${flow.lifecycle ? 'arrow-life' : 'arrow'})`,
    });
    line.appendChild(svgEl('title', {}, `${flow.label}\n${flow.controls.map((control: any) => `${control.control}: ${control.state}`).join('\n')}`));
    layer.flows.appendChild(line);
  }
  svg.appendChild(layer.boxes);
  svg.appendChild(layer.flows);
  svg.appendChild(layer.nodes);
  svg.setAttribute('viewBox', `0 0 ${width} ${cursorY + 20}`);
  svg.setAttribute('width', String(width));
  svg.setAttribute('height', String(cursorY + 20));

  // Threats table, filtered by status buttons and by the element picked in the diagram.
  // A few rows at a time: a cluster has thousands of threats, and rows with evidence are costly to lay out.
  const THREAT_ROWS = 40;
  let statusFilter = 'open';
  let elementFilter = '';
  let threatRows = THREAT_ROWS;
  const renderThreats = (): void => {
    const list = model.threats.filter((threat: any) => (statusFilter === '' || threat.status === statusFilter) && (elementFilter === '' || threat.target === elementFilter));
    byId('threats-more').hidden = list.length <= threatRows;
    byId('threats-more').textContent = `Show ${Math.min(THREAT_ROWS, list.length - threatRows)} more of ${list.length - threatRows}`;
    byId('threats-body').innerHTML = list
      .slice(0, threatRows)
      .map((threat: any) => {
        const evidence = threat.failing.flatMap((entry: any) => entry.findings.map((finding: any) => `<li><code>${esc(entry.checkId)}</code> ${esc(finding.message)} <span class="loc">${esc(strings[finding.file])}:${finding.line}</span></li>`)).join('');
        return `<tr><td><span class="badge st-${threat.status}">${threat.status === 'partly' ? 'partly' : threat.status}</span></td><td><abbr title="${esc(STRIDE[threat.stride] ?? threat.stride)}">${esc(threat.stride)}</abbr> <span class="muted small">${esc(STRIDE[threat.stride] ?? '')}</span></td>
          <td><b title="${esc(model.templates[threat.template]?.description ?? '')}">${esc(threat.title)}</b><br><span class="muted">${esc(threat.targetLabel)}</span></td>
          <td>${threat.attack.map((id: string) => `<span class="tag">${esc(id)}</span>`).join(' ')}<br>${threat.msMatrix.map((id: string) => `<span class="tag ms">${esc(id)}</span>`).join(' ')}</td>
          <td>${esc(threat.reason)}${evidence === '' ? '' : `<ul class="evidence">${evidence}</ul>`}</td></tr>`;
      })
      .join('');
    byId('threats-count').textContent = `${list.length} threat${list.length === 1 ? '' : 's'}${elementFilter === '' ? '' : ` against ${elements.find((element) => element.id === elementFilter)?.label ?? elementFilter}`}`;
    byId('clear-element').hidden = elementFilter === '';
  };
  byId('threat-filters').addEventListener('click', (event: any) => {
    const button = event.target.closest('button[data-status]');
    if (button === null) return;
    statusFilter = button.dataset.status;
    threatRows = THREAT_ROWS;
    for (const other of byId('threat-filters').querySelectorAll('button')) other.setAttribute('aria-pressed', String(other === button));
    renderThreats();
  });
  const pickElement = (target: any): void => {
    const group = target.closest('[data-element]');
    if (group === null) return;
    elementFilter = group.dataset.element;
    threatRows = THREAT_ROWS;
    statusFilter = '';
    for (const line of svg.querySelectorAll('.flow')) line.classList.toggle('picked', line.dataset.from === elementFilter || line.dataset.to === elementFilter);
    for (const other of byId('threat-filters').querySelectorAll('button')) other.setAttribute('aria-pressed', String(other.dataset.status === ''));
    renderThreats();
  };
  svg.addEventListener('click', (event: any) => pickElement(event.target));
  svg.addEventListener('keydown', (event: any) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      pickElement(event.target);
    }
  });
  byId('threats-more').addEventListener('click', () => {
    threatRows += THREAT_ROWS;
    renderThreats();
  });
  byId('clear-element').addEventListener('click', () => {
    elementFilter = '';
    for (const line of svg.querySelectorAll('.flow.picked')) line.classList.remove('picked');
    renderThreats();
  });
  renderThreats();
  byId('tm-zoom').addEventListener('click', () => {
    const actual = byId('tm-frame').classList.toggle('fit') === false;
    byId('tm-zoom').setAttribute('aria-pressed', String(actual));
  });

  performance.mark('rampart:threat-model');
  // ---- Attack graph: the chosen path in red, drawn with the other paths to the same crown jewel (at most
  // eight in all, so a large cluster's graph stays legible), in layers from start to jewel.
  const graph = data.attackGraph;
  const paths: any[] = graph.paths.slice(0, 60);
  const attackSvg = byId('ag-svg');
  const labels = new Map<string, string>(graph.vertices.map((vertex: any) => [vertex.id, vertex.label]));
  const kinds = new Map<string, string>(graph.vertices.map((vertex: any) => [vertex.id, vertex.kind]));
  const AG_W = 220;
  const AG_H = 38;
  const ROW_H = AG_H + 34;
  const COL_W = AG_W + 24;
  const MAX_DRAWN = 8;
  const drawGraph = (chosen: any): void => {
    const shown = [chosen, ...paths.filter((path) => path !== chosen && path.jewel === chosen.jewel)].slice(0, MAX_DRAWN);
    // Longest-path layering: every step goes down; a jewel that only ends paths goes to the last layer.
    const layerOf = new Map<string, number>();
    for (const path of shown) for (const step of path.steps) for (const id of [step.from, step.to]) if (!layerOf.has(id)) layerOf.set(id, 0);
    for (let round = 0; round < layerOf.size; round++) {
      let changed = false;
      for (const path of shown) {
        for (const step of path.steps) {
          const next = layerOf.get(step.from)! + 1;
          if (layerOf.get(step.to)! < next) {
            layerOf.set(step.to, next);
            changed = true;
          }
        }
      }
      if (!changed) break;
    }
    let last = 0;
    for (const value of layerOf.values()) last = Math.max(last, value);
    const intermediate = new Set(shown.flatMap((path) => path.steps.slice(0, -1).map((step: any) => step.to)));
    for (const path of shown) if (!intermediate.has(path.jewel)) layerOf.set(path.jewel, last);
    const layers: string[][] = [];
    for (const [id, at] of layerOf) (layers[at] ??= []).push(id);
    const widest = Math.max(1, ...layers.map((ids) => (ids ?? []).length));
    const width = 20 + widest * COL_W;
    const position = new Map<string, { x: number; y: number }>();
    layers.forEach((ids, layer) => {
      const list = (ids ?? []).sort();
      const offset = (width - list.length * COL_W) / 2;
      list.forEach((id, at) => position.set(id, { x: offset + 12 + at * COL_W, y: 10 + layer * ROW_H }));
    });
    const height = Math.max(60, 10 + layers.length * ROW_H);
    const hot = new Set(chosen.steps.map((step: any) => `${step.from}>${step.to}`));
    const hotVertices = new Set(chosen.steps.flatMap((step: any) => [step.from, step.to]));
    attackSvg.replaceChildren(defs.cloneNode(true));
    const edges = svgEl('g', {});
    const nodes = svgEl('g', {});
    const drawn = new Set<string>();
    for (const path of shown) {
      for (const step of path.steps) {
        const key = `${step.from}>${step.to}`;
        if (drawn.has(key)) continue;
        drawn.add(key);
        const from = position.get(step.from)!;
        const to = position.get(step.to)!;
        const x1 = from.x + AG_W / 2;
        const x2 = to.x + AG_W / 2;
        const y1 = from.y + AG_H;
        const y2 = to.y;
        const line = svgEl('path', { d: `M${x1},${y1} C${x1},${y1 + 24} ${x2},${y2 - 24} ${x2},${y2}`, class: hot.has(key) ? 'ag-edge hot' : 'ag-edge', 'marker-end': hot.has(key) ? 'url(#arrow-attack)' : 'url(#arrow)' });
        line.appendChild(svgEl('title', {}, step.text));
        edges.appendChild(line);
      }
    }
    for (const [id, at] of position) {
      const group = svgEl('g', { class: `ag-node k-${kinds.get(id) ?? 'hub'}${hotVertices.has(id) ? ' hot' : ''}`, 'data-vertex': id });
      group.appendChild(svgEl('rect', { x: at.x, y: at.y, width: AG_W, height: AG_H, rx: 6 }));
      group.appendChild(svgEl('text', { x: at.x + 8, y: at.y + AG_H / 2 + 4 }, clip(labels.get(id) ?? id, 31)));
      group.appendChild(svgEl('title', {}, labels.get(id) ?? id));
      nodes.appendChild(group);
    }
    attackSvg.appendChild(edges);
    attackSvg.appendChild(nodes);
    attackSvg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    attackSvg.setAttribute('width', String(width));
    attackSvg.setAttribute('height', String(height));
    byId('ag-caption').textContent =
      shown.length > 1 ? `The chosen path in red, with ${shown.length - 1} other path${shown.length === 2 ? '' : 's'} to the same crown jewel.` : 'The chosen path.';
  };
  byId('path-list').innerHTML =
    paths.length === 0
      ? '<li class="muted">No path from an entry point to a crown jewel.</li>'
      : paths
          .map((path, at) => `<li><button type="button" class="path-button" aria-pressed="false" data-path="${at}"><b>${esc(path.startLabel)}</b> → <b>${esc(path.jewelLabel)}</b> <span class="muted">${path.steps.length} step${path.steps.length === 1 ? '' : 's'}</span></button></li>`)
          .join('');
  if (graph.totalPaths > paths.length) byId('path-list').insertAdjacentHTML('beforeend', `<li class="muted">… ${graph.totalPaths - paths.length} more in the JSON report</li>`);
  const showPath = (at: number): void => {
    const path = paths[at];
    drawGraph(path);
    for (const button of byId('path-list').querySelectorAll('button')) button.setAttribute('aria-pressed', String(button.dataset.path === String(at)));
    byId('path-detail').innerHTML = `<h3>${esc(path.startLabel)} → ${esc(path.jewelLabel)}</h3><ol>${path.steps
      .map(
        (step: any) =>
          `<li>${esc(step.text)}${step.witnesses.length > 0 ? `<ul class="evidence">${step.witnesses.map((witness: any) => `<li>${esc(witness.what)}${witness.file ? ` <span class="loc">${esc(witness.file)}${witness.line ? `:${witness.line}` : ''}</span>` : ''}</li>`).join('')}</ul>` : ''}${step.change ? `<p class="change">Cut it: ${esc(step.change)}</p>` : ''}</li>`,
      )
      .join('')}</ol>`;
  };
  byId('path-list').addEventListener('click', (event: any) => {
    const button = event.target.closest('button[data-path]');
    if (button !== null) showPath(Number(button.dataset.path));
  });
  byId('recommendations').innerHTML =
    graph.recommendations.length === 0
      ? '<li class="muted">Nothing to cut.</li>'
      : graph.recommendations.map((entry: any) => `<li><span class="cut">cuts ${entry.pathsCut} path${entry.pathsCut === 1 ? '' : 's'}</span> ${esc(entry.change)}</li>`).join('');
  if (paths.length > 0) showPath(0);
  performance.mark('rampart:built');
  // Ready once the first frame with the content has been laid out and painted, not merely built.
  (globalThis as any).requestAnimationFrame(() =>
    (globalThis as any).setTimeout(() => {
      performance.mark('rampart:ready');
      doc.body.dataset.ready = 'true';
    }, 0),
  );
}
