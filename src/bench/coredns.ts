/**
 * CoreDNS: its Corefile, from /etc/coredns/Corefile on the node or the
 * `coredns` ConfigMap among the static manifests (or a file given with
 * --corefile), judged for the settings that matter to security.
 */
import type { ControlResult, NodeSnapshot } from './model.js';
import { isRecord, parseYamlText } from './yamlText.js';

export interface Directive {
  readonly name: string;
  readonly args: readonly string[];
  readonly line: number;
  readonly block: readonly Directive[];
}

export interface ServerBlock {
  readonly keys: readonly string[];
  readonly line: number;
  readonly directives: readonly Directive[];
}

export interface Corefile {
  readonly file: string;
  /** Line of the Corefile's first line in `file` (a ConfigMap embeds it). */
  readonly offset: number;
  readonly servers: readonly ServerBlock[];
}

interface Token {
  readonly text: string;
  readonly line: number;
}

function tokenize(text: string): Token[][] {
  const lines: Token[][] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/#.*$/, '');
    const tokens = line.match(/"[^"]*"|\{|\}|[^\s{}]+/g) ?? [];
    if (tokens.length > 0) lines.push(tokens.map((token) => ({ text: token.replace(/^"|"$/g, ''), line: index + 1 })));
  });
  return lines;
}

/** Parses server blocks and their directives (one level of nested blocks, as plugins use). */
export function parseCorefile(text: string): ServerBlock[] {
  const lines = tokenize(text);
  const servers: ServerBlock[] = [];
  let index = 0;
  const readBlock = (): Directive[] => {
    const directives: Directive[] = [];
    while (index < lines.length) {
      const tokens = lines[index++]!;
      if (tokens[0]?.text === '}') break;
      const opens = tokens[tokens.length - 1]?.text === '{';
      const words = (opens ? tokens.slice(0, -1) : tokens).filter((token) => token.text !== '}');
      const first = words[0];
      if (first === undefined) continue;
      directives.push({ name: first.text, args: words.slice(1).map((token) => token.text), line: first.line, block: opens ? readBlock() : [] });
      if (tokens[tokens.length - 1]?.text === '}' && tokens.length > 1) break;
    }
    return directives;
  };
  while (index < lines.length) {
    const tokens = lines[index++]!;
    if (tokens[tokens.length - 1]?.text !== '{') continue;
    const keys = tokens.slice(0, -1).map((token) => token.text);
    servers.push({ keys, line: tokens[0]!.line, directives: readBlock() });
  }
  return servers;
}

export function findCorefiles(snapshot: NodeSnapshot): { corefiles: Corefile[]; problems: string[] } {
  const corefiles: Corefile[] = [];
  const problems: string[] = [];
  for (const facts of Object.values(snapshot.files)) {
    if (facts.content === undefined) continue;
    if (facts.path.endsWith('Corefile')) {
      corefiles.push({ file: facts.path, offset: 0, servers: parseCorefile(facts.content) });
      continue;
    }
    if (!/\.(ya?ml|json)$/.test(facts.path) || !/coredns/i.test(facts.content) || !/ConfigMap/.test(facts.content)) continue;
    const parsed = parseYamlText(facts.content);
    if (!parsed.ok) continue;
    for (const document of parsed.documents) {
      const value = document.value;
      if (!isRecord(value) || value.kind !== 'ConfigMap' || !isRecord(value.metadata) || value.metadata.name !== 'coredns' || !isRecord(value.data)) continue;
      const text = value.data.Corefile;
      if (typeof text !== 'string') {
        problems.push(`${facts.path}: the coredns ConfigMap has no data.Corefile`);
        continue;
      }
      corefiles.push({ file: facts.path, offset: document.lineOf(['data', 'Corefile']) ?? 0, servers: parseCorefile(text) });
    }
  }
  return { corefiles, problems };
}

function all(corefile: Corefile): Directive[] {
  return corefile.servers.flatMap((server) => server.directives);
}

function where(corefile: Corefile, directive: Directive): { file: string; line: number } {
  return { file: corefile.file, line: corefile.offset + directive.line };
}

function at(corefile: Corefile, directive: Directive): string {
  const location = where(corefile, directive);
  return `${location.file}:${location.line}`;
}

const PRIVATE = /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|127\.|169\.254\.|fd|fc|::1|\[)/i;
const bindsEverywhere = (address: string | undefined): boolean => address === undefined || /^(:\d+|0\.0\.0\.0:\d+|\[::\]:\d+)$/.test(address);

interface DnsControl {
  readonly id: string;
  readonly title: string;
  readonly remediation: string;
  readonly judge: (corefile: Corefile) => { status: 'PASS' | 'FAIL' | 'WARN'; details: string[]; file?: string; line?: number };
}

const DNS_CONTROLS: readonly DnsControl[] = [
  {
    id: 'DNS.1',
    title: 'The kubernetes plugin does not answer pod records insecurely (`pods insecure`)',
    remediation: 'In the kubernetes block, replace `pods insecure` with `pods verified` (or `pods disabled` if nothing uses pod A records).',
    judge: (corefile) => {
      const plugins = all(corefile).filter((directive) => directive.name === 'kubernetes');
      if (plugins.length === 0) return { status: 'WARN', details: [`${corefile.file}: no kubernetes plugin; is this the cluster DNS Corefile?`] };
      for (const plugin of plugins) {
        const pods = plugin.block.find((directive) => directive.name === 'pods');
        if (pods?.args[0] === 'insecure') return { status: 'FAIL', details: [`pods insecure at ${at(corefile, pods)}: any name of the form a-b-c-d.namespace.pod resolves to a-b-c-d, which lets anyone forge names that match certificates`], ...where(corefile, pods) };
      }
      return { status: 'PASS', details: plugins.map((plugin) => `kubernetes plugin at ${at(corefile, plugin)}: pods ${plugin.block.find((directive) => directive.name === 'pods')?.args[0] ?? 'disabled (default)'}`) };
    },
  },
  {
    id: 'DNS.2',
    title: 'Health, readiness and metrics endpoints listen on an explicit address, not every interface',
    remediation: 'Give `health`, `ready` and `prometheus` the pod IP or 127.0.0.1 (e.g. `prometheus 127.0.0.1:9153`), or restrict the ports with a NetworkPolicy.',
    judge: (corefile) => {
      const exposed = all(corefile).filter((directive) => ['health', 'ready', 'prometheus'].includes(directive.name) && bindsEverywhere(directive.args[0]));
      if (exposed.length === 0) return { status: 'PASS', details: [`${corefile.file}: no endpoint listens on every interface`] };
      return { status: 'WARN', details: exposed.map((directive) => `${directive.name} ${directive.args.join(' ') || '(default port)'} at ${at(corefile, directive)} listens on every interface`), ...where(corefile, exposed[0]!) };
    },
  },
  {
    id: 'DNS.3',
    title: 'Upstream forwarding goes to the node resolver, private resolvers or over TLS',
    remediation: 'Forward to /etc/resolv.conf, to resolvers inside your network, or to public resolvers over DNS-over-TLS (`forward . tls://9.9.9.9 { tls_servername dns.quad9.net }`).',
    judge: (corefile) => {
      const forwards = all(corefile).filter((directive) => directive.name === 'forward' || directive.name === 'proxy');
      if (forwards.length === 0) return { status: 'PASS', details: [`${corefile.file}: no forwarding`] };
      const plain: string[] = [];
      for (const forward of forwards) {
        for (const target of forward.args.slice(1)) {
          if (target.startsWith('/') || target.startsWith('tls://') || PRIVATE.test(target.replace(/^dns:\/\//, ''))) continue;
          plain.push(`${target} at ${at(corefile, forward)}`);
        }
      }
      if (plain.length === 0) return { status: 'PASS', details: forwards.map((forward) => `${forward.name} ${forward.args.join(' ')} at ${at(corefile, forward)}`) };
      return { status: 'WARN', details: plain.map((target) => `plain DNS to a public resolver: ${target}; answers can be read and spoofed on the way`), ...where(corefile, forwards[0]!) };
    },
  },
  {
    id: 'DNS.4',
    title: 'Zone transfers are not offered to everyone',
    remediation: 'Remove `transfer { to * }`; list the secondary servers that need the zone.',
    judge: (corefile) => {
      const transfers = all(corefile).filter((directive) => directive.name === 'transfer');
      for (const transfer of transfers) {
        const to = transfer.block.find((directive) => directive.name === 'to');
        if (to?.args.includes('*') === true) return { status: 'FAIL', details: [`transfer to * at ${at(corefile, to)}: anyone can list every Service of the cluster`], ...where(corefile, to) };
      }
      return { status: 'PASS', details: [transfers.length === 0 ? `${corefile.file}: no zone transfers` : 'zone transfers only to listed servers'] };
    },
  },
  {
    id: 'DNS.5',
    title: 'CoreDNS detects forwarding loops (`loop` plugin)',
    remediation: 'Add `loop` to each server block that forwards, so a resolv.conf pointing back at CoreDNS is detected instead of exhausting it.',
    judge: (corefile) => {
      const forwarding = corefile.servers.filter((server) => server.directives.some((directive) => directive.name === 'forward') && !server.directives.some((directive) => directive.name === 'loop'));
      if (forwarding.length === 0) return { status: 'PASS', details: [`${corefile.file}: every forwarding server block has loop`] };
      return { status: 'WARN', details: forwarding.map((server) => `server block ${server.keys.join(' ')} at ${corefile.file}:${corefile.offset + server.line} forwards without loop`), file: corefile.file, line: corefile.offset + forwarding[0]!.line };
    },
  },
];

export function evaluateCoreDns(snapshot: NodeSnapshot): ControlResult[] {
  const { corefiles, problems } = findCorefiles(snapshot);
  const base = { section: 'dns', automated: true, automatedByRampart: false } as const;
  if (corefiles.length === 0) {
    return [{ ...base, id: 'DNS', title: 'CoreDNS configuration', status: 'INFO', details: [...problems, 'no Corefile on the node (/etc/coredns/Corefile) and no coredns ConfigMap among the manifests; pass one with --corefile'], remediation: '' }];
  }
  const results: ControlResult[] = [];
  for (const control of DNS_CONTROLS) {
    const outcomes = corefiles.map((corefile) => control.judge(corefile));
    const worst = outcomes.find((outcome) => outcome.status === 'FAIL') ?? outcomes.find((outcome) => outcome.status === 'WARN') ?? outcomes[0]!;
    results.push({
      ...base,
      id: control.id,
      title: control.title,
      status: worst.status,
      details: outcomes.flatMap((outcome) => outcome.details),
      remediation: control.remediation,
      ...(worst.file === undefined ? {} : { file: worst.file }),
      ...(worst.line === undefined ? {} : { line: worst.line }),
    });
  }
  return results;
}
