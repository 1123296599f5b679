/**
 * The floor for bench/admission.mjs (`--floor`): an HTTPS server that does the least a webhook must
 * (read the body, JSON.parse it, answer with a fixed AdmissionReview of about the size of Rampart's
 * largest answer in the bench), so the same paced load against it shows how much of the latency is
 * this machine, TLS and the load generator rather than Rampart.
 *   node bench/floorServer.mjs CERT KEY   prints {"port":N,"msg":"admission webhook listening"}
 */
import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';

const answer = JSON.stringify({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  response: { uid: 'floor', allowed: true, warnings: Array.from({ length: 25 }, (_, index) => `floor warning ${index}: a line about as long as one of Rampart's warnings for a pod template`) },
});
const server = createServer({ cert: readFileSync(process.argv[2]), key: readFileSync(process.argv[3]) }, (request, response) => {
  let text = '';
  request.setEncoding('utf8');
  request.on('data', (chunk) => (text += chunk));
  request.on('end', () => {
    JSON.parse(text);
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) });
    response.end(answer);
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: server.address().port, msg: 'admission webhook listening' })}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
