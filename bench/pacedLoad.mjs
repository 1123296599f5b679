/**
 * An open-loop load generator: requests at an even rate over a fixed set of keep-alive HTTPS
 * connections, with latency measured from when each request was due.
 *
 * Why not a generator from npm for this run: autocannon (used for the closed-loop and warm-up runs)
 * paces `overallRate` with a quota per connection per second that it spends as fast as it can when the
 * second starts (lib/httpClient.js resets `reqsMadeThisSecond` in a 1 s `setInterval`), so 2,000/s
 * offered to a server that can do 4,000/s is a closed loop of 50 connections for half of each second and
 * idle for the rest: its "paced" p99 is the saturated queue (Little's law: 50 in flight / throughput),
 * whatever the rate. loadtest's `--rps` paces evenly but opens one client per request in flight, so it
 * does not hold a fixed set of connections, and its timer spins on `setImmediate` below 1 ms. What is
 * needed here is small: a request written on the connection that has waited longest, the response read
 * to its Content-Length.
 *
 * Request i is due at start + i / rate. A timer sends whatever is due (timers fire about every
 * millisecond, so at 2,000/s they go out in pairs); latency runs from the due time to the last byte of
 * the response, so a generator or a server that falls behind is charged for it (no coordinated
 * omission). Each request goes to the connection idle longest; when all are busy it waits for the first
 * to come free, and that wait counts too. The result splits each latency into the due time to the write
 * (`sendLate`: the generator's timer and event loop, or a wait for a free connection) and the write to
 * the last byte (`roundTrip`: TLS, the server, and the generator reading the answer).
 */
import { Buffer } from 'node:buffer';
import { setTimeout } from 'node:timers';
import { connect } from 'node:tls';
import { performance } from 'node:perf_hooks';

const HEADER_END = Buffer.from('\r\n\r\n');

/** One keep-alive connection: sends a request, resolves with the status code once the whole response is in. */
class Connection {
  constructor(socket) {
    this.socket = socket;
    this.buffer = Buffer.alloc(0);
    this.waiting = undefined;
    this.failed = false;
    socket.on('data', (chunk) => this.receive(chunk));
    const fail = () => {
      this.failed = true;
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting?.(-1);
    };
    socket.on('error', fail);
    socket.on('close', fail);
  }

  send(request) {
    return new Promise((resolve) => {
      if (this.failed) return resolve(-1);
      this.waiting = resolve;
      this.socket.write(request);
    });
  }

  receive(chunk) {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const headerEnd = this.buffer.indexOf(HEADER_END);
    if (headerEnd < 0) return;
    const head = this.buffer.subarray(0, headerEnd).toString('latin1');
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (length === null) {
      // The server always sends Content-Length; anything else is an error for this generator.
      this.socket.destroy();
      return;
    }
    const total = headerEnd + HEADER_END.length + Number(length[1]);
    if (this.buffer.length < total) return;
    const status = Number(head.slice(9, 12));
    this.buffer = this.buffer.subarray(total);
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.(status);
  }

  close() {
    this.socket.destroy();
  }
}

/**
 * Sends `rate * seconds` requests (the `requests` buffers in turn: whole HTTP/1.1 requests) at `rate`
 * per second over `connections` TLS connections to 127.0.0.1:`port`. Returns latency percentiles in ms,
 * the served rate, the errors (non-2xx or a broken connection) and the generator's own CPU time.
 */
export async function pacedLoad({ port, ca, servername, requests, rate, seconds, connections }) {
  const open = await Promise.all(
    Array.from(
      { length: connections },
      () =>
        new Promise((resolve, reject) => {
          const socket = connect({ host: '127.0.0.1', port, ca, servername }, () => resolve(new Connection(socket)));
          socket.once('error', reject);
        }),
    ),
  );
  // One request on each connection before the clock starts, so the handshakes are not measured.
  await Promise.all(open.map((connection, index) => connection.send(requests[index % requests.length])));
  const idle = [...open];
  const queued = [];
  const total = Math.round(rate * seconds);
  const latencies = new Float64Array(total);
  // How late each request was written (the generator's own delay: its timer, its event loop, or no
  // idle connection), so a tail can be split into the generator's part and the round trip's.
  const sendLate = new Float64Array(total);
  let errors = 0;
  let done = 0;
  let finished;
  const allDone = new Promise((resolve) => (finished = resolve));
  const interval = 1000 / rate;
  const cpuBefore = process.cpuUsage();
  const start = performance.now() + 5;

  const dispatch = (index, connection) => {
    sendLate[index] = performance.now() - (start + index * interval);
    connection.send(requests[index % requests.length]).then((status) => {
      latencies[index] = performance.now() - (start + index * interval);
      if (status < 200 || status >= 300) errors++;
      if (++done === total) finished();
      const next = queued.shift();
      if (next !== undefined) dispatch(next, connection);
      else idle.push(connection);
    });
  };

  let sent = 0;
  await new Promise((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor((performance.now() - start) / interval) + 1);
      for (; sent < due; sent++) {
        const connection = idle.shift();
        if (connection !== undefined) dispatch(sent, connection);
        else queued.push(sent);
      }
      if (sent < total) setTimeout(tick, 0);
      else resolve();
    };
    setTimeout(tick, 5);
  });
  await allDone;
  const elapsed = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  for (const connection of open) connection.close();
  const sorted = Array.from(latencies).sort((a, b) => a - b);
  const percentile = (values, fraction) => Math.round(values[Math.min(values.length - 1, Math.floor(values.length * fraction))] * 100) / 100;
  const at = (fraction) => percentile(sorted, fraction);
  const late = Array.from(sendLate).sort((a, b) => a - b);
  const roundTrip = Array.from(latencies, (latency, index) => latency - sendLate[index]).sort((a, b) => a - b);
  return {
    total,
    rate: Math.round(total / elapsed),
    errors,
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    p999: at(0.999),
    max: at(1),
    generatorCpuUsPerRequest: Math.round((cpu.user + cpu.system) / total),
    // Due time to write (the generator's delay) and write to last byte (the round trip), in ms.
    sendLate: { p50: percentile(late, 0.5), p99: percentile(late, 0.99), max: percentile(late, 1) },
    roundTrip: { p50: percentile(roundTrip, 0.5), p99: percentile(roundTrip, 0.99), max: percentile(roundTrip, 1) },
  };
}

/** A whole HTTP/1.1 POST request, ready to write on a keep-alive connection. */
export function postRequest(path, body, host = '127.0.0.1') {
  const bytes = Buffer.from(body);
  return Buffer.concat([
    Buffer.from(`POST ${path} HTTP/1.1\r\nhost: ${host}\r\ncontent-type: application/json\r\ncontent-length: ${bytes.length}\r\nconnection: keep-alive\r\n\r\n`),
    bytes,
  ]);
}
