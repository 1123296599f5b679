import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { collectNode } from './collect.js';
import { evaluateCoreDns, parseCorefile } from './coredns.js';
import { removeTree, writeTree } from './testTrees.js';

/** kubeadm's default Corefile, in the coredns ConfigMap. */
const KUBEADM_CONFIGMAP = `apiVersion: v1
kind: ConfigMap
metadata:
  name: coredns
  namespace: kube-system
data:
  Corefile: |
    .:53 {
        errors
        health {
           lameduck 5s
        }
        ready
        kubernetes cluster.local in-addr.arpa ip6.arpa {
           pods insecure
           fallthrough in-addr.arpa ip6.arpa
           ttl 30
        }
        prometheus :9153
        forward . /etc/resolv.conf {
           max_concurrent 1000
        }
        cache 30
        loop
        reload
        loadbalance
    }
`;

const HARDENED_COREFILE = `.:53 {
    errors
    health 127.0.0.1:8080
    ready 127.0.0.1:8181
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods verified
    }
    prometheus 127.0.0.1:9153
    forward . tls://9.9.9.9 {
       tls_servername dns.quad9.net
    }
    cache 30
    loop
}
`;

const roots: string[] = [];
after(() => roots.forEach(removeTree));

function judge(files: Record<string, string>): Map<string, { status: string; details: readonly string[] }> {
  const root = writeTree(Object.fromEntries(Object.entries(files).map(([path, content]) => [path, { content, mode: 0o600 }])));
  roots.push(root);
  const results = evaluateCoreDns(collectNode({ root, rampartVersion: 'test' }));
  return new Map(results.map((result) => [result.id, result]));
}

test('parses server blocks, directives and nested blocks with lines', () => {
  const servers = parseCorefile(HARDENED_COREFILE);
  assert.equal(servers.length, 1);
  const kubernetes = servers[0]!.directives.find((directive) => directive.name === 'kubernetes');
  assert.deepEqual(kubernetes?.args, ['cluster.local', 'in-addr.arpa', 'ip6.arpa']);
  assert.deepEqual(kubernetes?.block.map((directive) => [directive.name, directive.args, directive.line]), [['pods', ['verified'], 6]]);
  assert.deepEqual(servers[0]!.directives.map((directive) => directive.name), ['errors', 'health', 'ready', 'kubernetes', 'prometheus', 'forward', 'cache', 'loop']);
});

test("kubeadm's coredns ConfigMap among the manifests: pods insecure fails, endpoints on every interface warn, lines point into the manifest", () => {
  const results = judge({ '/etc/kubernetes/manifests/coredns.yaml': KUBEADM_CONFIGMAP });
  assert.equal(results.get('DNS.1')?.status, 'FAIL');
  assert.match(results.get('DNS.1')?.details[0] ?? '', /pods insecure at \/etc\/kubernetes\/manifests\/coredns\.yaml:15/);
  assert.equal(results.get('DNS.2')?.status, 'WARN');
  assert.match(results.get('DNS.2')?.details.join('\n') ?? '', /prometheus :9153 at \/etc\/kubernetes\/manifests\/coredns\.yaml:19 listens on every interface/);
  assert.equal(results.get('DNS.3')?.status, 'PASS');
  assert.equal(results.get('DNS.4')?.status, 'PASS');
  assert.equal(results.get('DNS.5')?.status, 'PASS');
});

test('a hardened Corefile passes; plain public forwarding, open zone transfers and missing loop do not', () => {
  const hardened = judge({ '/etc/coredns/Corefile': HARDENED_COREFILE });
  assert.deepEqual([...hardened.values()].map((result) => result.status), ['PASS', 'PASS', 'PASS', 'PASS', 'PASS']);
  const open = judge({ '/etc/coredns/Corefile': '.:53 {\n  kubernetes cluster.local\n  forward . 8.8.8.8 10.0.0.2\n  transfer {\n    to *\n  }\n}\n' });
  assert.equal(open.get('DNS.3')?.status, 'WARN');
  assert.match(open.get('DNS.3')?.details[0] ?? '', /8\.8\.8\.8/);
  assert.doesNotMatch(open.get('DNS.3')?.details.join() ?? '', /10\.0\.0\.2/);
  assert.equal(open.get('DNS.4')?.status, 'FAIL');
  assert.equal(open.get('DNS.5')?.status, 'WARN');
});

test('no Corefile: INFO with the reason, never PASS', () => {
  const results = judge({ '/etc/hostname': 'node\n' });
  assert.deepEqual([...results.values()].map((result) => result.status), ['INFO']);
});
