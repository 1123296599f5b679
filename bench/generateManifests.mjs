/**
 * Generates a realistic manifest tree for the scan benchmark: Deployments,
 * StatefulSets, DaemonSets, CronJobs, Pods, Services, ConfigMaps, Secrets,
 * ServiceAccounts and Namespaces (with Pod Security labels), about half of the
 * workloads hardened and half with the usual gaps, spread over many files of a
 * few dozen documents each, some of them `kind: List`. Deterministic: the same
 * count gives the same bytes.
 *
 *   node bench/generateManifests.mjs <directory> [objects]
 */
import { Buffer } from 'node:buffer';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../dist/testing/random.js';

const OBJECTS_PER_FILE = 50;
const NAMESPACES = 100;

/** A small deterministic generator, so a run can be replayed. */
const random = seededRandom;

function containerYaml(indent, name, hardened, next) {
  const pad = ' '.repeat(indent);
  const lines = [
    `${pad}- name: ${name}`,
    `${pad}  image: registry.example.com/team/${name}:1.${Math.floor(next() * 40)}.${Math.floor(next() * 10)}`,
    `${pad}  imagePullPolicy: IfNotPresent`,
    `${pad}  ports:`,
    `${pad}    - containerPort: ${8000 + Math.floor(next() * 1000)}`,
    `${pad}      name: http`,
    `${pad}  env:`,
    `${pad}    - name: LOG_LEVEL`,
    `${pad}      value: "info"`,
    `${pad}    - name: POD_NAMESPACE`,
    `${pad}      valueFrom:`,
    `${pad}        fieldRef: {fieldPath: metadata.namespace}`,
    `${pad}  resources:`,
    `${pad}    requests: {cpu: 100m, memory: 128Mi}`,
    `${pad}    limits: {cpu: "1", memory: 512Mi}`,
    `${pad}  readinessProbe:`,
    `${pad}    httpGet: {path: /healthz, port: http}`,
    `${pad}    periodSeconds: 10`,
  ];
  if (hardened) {
    lines.push(
      `${pad}  securityContext:`,
      `${pad}    allowPrivilegeEscalation: false`,
      `${pad}    readOnlyRootFilesystem: true`,
      `${pad}    runAsNonRoot: true`,
      `${pad}    capabilities:`,
      `${pad}      drop: ["ALL"]`,
    );
  } else if (next() < 0.3) {
    lines.push(`${pad}  securityContext:`, `${pad}    privileged: ${next() < 0.5}`, `${pad}    capabilities:`, `${pad}      add: [NET_ADMIN]`);
  }
  return lines.join('\n');
}

function podSpecYaml(indent, name, hardened, next) {
  const pad = ' '.repeat(indent);
  const lines = [];
  if (hardened) {
    lines.push(`${pad}securityContext:`, `${pad}  runAsNonRoot: true`, `${pad}  runAsUser: 10001`, `${pad}  seccompProfile:`, `${pad}    type: RuntimeDefault`);
  } else if (next() < 0.2) {
    lines.push(`${pad}hostNetwork: true`);
  }
  lines.push(`${pad}serviceAccountName: ${name}`, `${pad}containers:`, containerYaml(indent + 2, name, hardened, next));
  if (next() < 0.3) lines.push(containerYaml(indent + 2, `${name}-sidecar`, hardened, next));
  lines.push(`${pad}volumes:`, `${pad}  - name: config`, `${pad}    configMap: {name: ${name}-config}`);
  if (!hardened && next() < 0.1) lines.push(`${pad}  - name: host`, `${pad}    hostPath: {path: /var/run}`);
  return lines.join('\n');
}

function workload(kind, apiVersion, name, namespace, hardened, next) {
  if (kind === 'Pod') {
    return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\n  labels:\n    app: ${name}\nspec:\n${podSpecYaml(2, name, hardened, next)}`;
  }
  const template = `    metadata:\n      labels:\n        app.kubernetes.io/name: ${name}\n        app.kubernetes.io/part-of: bench\n    spec:\n${podSpecYaml(6, name, hardened, next)}`;
  if (kind === 'CronJob') {
    return `apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\nspec:\n  schedule: "*/15 * * * *"\n  jobTemplate:\n    spec:\n      template:\n${template
      .split('\n')
      .map((line) => `    ${line}`)
      .join('\n')}`;
  }
  return `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\n  labels:\n    app: ${name}\nspec:\n  replicas: ${1 + Math.floor(next() * 5)}\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: ${name}\n  template:\n${template}`;
}

function service(name, namespace, next) {
  return `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\nspec:\n  selector:\n    app.kubernetes.io/name: ${name}\n  ports:\n    - name: http\n      port: 80\n      targetPort: ${8000 + Math.floor(next() * 1000)}\n  type: ClusterIP`;
}

function configMap(name, namespace, next) {
  const lines = Array.from({ length: 4 + Math.floor(next() * 8) }, (_, index) => `    setting.${index} = ${Math.floor(next() * 1e6)}`);
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}-config\n  namespace: ${namespace}\ndata:\n  LOG_FORMAT: json\n  FEATURE_FLAGS: "a,b,c"\n  app.properties: |\n${lines.join('\n')}`;
}

function secret(name, namespace) {
  return `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}-credentials\n  namespace: ${namespace}\ntype: Opaque\ndata:\n  username: YWRtaW4=\n  password: c2VjcmV0LXBhc3N3b3Jk`;
}

function serviceAccount(name, namespace) {
  return `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\nautomountServiceAccountToken: false`;
}

function namespaceObject(index) {
  const level = ['restricted', 'baseline', 'privileged'][index % 3];
  return `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-${index}\n  labels:\n    pod-security.kubernetes.io/enforce: ${level}\n    pod-security.kubernetes.io/enforce-version: latest`;
}

const WORKLOADS = [
  ['Deployment', 'apps/v1', 0.5],
  ['StatefulSet', 'apps/v1', 0.1],
  ['DaemonSet', 'apps/v1', 0.05],
  ['CronJob', 'batch/v1', 0.05],
  ['Pod', 'v1', 0.3],
];

/** Writes `objects` objects under `directory`; returns { files, objects, bytes }. */
export function generateManifests(directory, objects) {
  const next = random(20261127);
  mkdirSync(directory, { recursive: true });
  let written = 0;
  let files = 0;
  let bytes = 0;
  const documents = [];
  const flush = () => {
    if (documents.length === 0) return;
    const folder = path.join(directory, `team-${files % NAMESPACES}`, `app-${Math.floor(files / NAMESPACES)}`);
    mkdirSync(folder, { recursive: true });
    // One file in ten is a kubectl List, as `kubectl get -o yaml` writes it.
    const text =
      files % 10 === 9
        ? `apiVersion: v1\nkind: List\nitems:\n${documents.map((document) => `- ${document.replace(/\n/g, '\n  ')}`).join('\n')}\n`
        : `${documents.join('\n---\n')}\n`;
    writeFileSync(path.join(folder, 'manifests.yaml'), text);
    bytes += Buffer.byteLength(text);
    files++;
    documents.length = 0;
  };
  const add = (document) => {
    documents.push(document);
    written++;
    if (documents.length === OBJECTS_PER_FILE) flush();
  };
  for (let index = 0; index < NAMESPACES && written < objects; index++) add(namespaceObject(index));
  let app = 0;
  while (written < objects) {
    const namespace = `team-${app % NAMESPACES}`;
    const name = `app-${app}`;
    let pick = next();
    const [kind, apiVersion] = WORKLOADS.find(([, , share]) => (pick -= share) < 0) ?? WORKLOADS[0];
    const hardened = next() < 0.5;
    for (const document of [
      workload(kind, apiVersion, name, namespace, hardened, next),
      service(name, namespace, next),
      configMap(name, namespace, next),
      serviceAccount(name, namespace),
      secret(name, namespace),
    ]) {
      if (written < objects) add(document);
    }
    app++;
  }
  flush();
  return { files, objects: written, bytes };
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [directory, count = '100000'] = process.argv.slice(2);
  if (directory === undefined) {
    process.stderr.write('usage: node bench/generateManifests.mjs <directory> [objects]\n');
    process.exitCode = 2;
  } else {
    const result = generateManifests(directory, Number(count));
    process.stdout.write(`${result.objects} objects in ${result.files} files, ${(result.bytes / 1e6).toFixed(1)} MB, under ${directory}\n`);
  }
}
