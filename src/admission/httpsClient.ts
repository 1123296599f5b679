/** A small HTTPS client for tests, benchmarks and the kill test: posts like the API server does, verifying the CA. */
import { Agent, request as httpsRequest } from 'node:https';

export interface ClientResponse {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string | string[] | undefined>;
}

export interface ClientOptions {
  readonly ca: string;
  readonly servername?: string;
  readonly agent?: Agent;
  readonly timeoutMs?: number;
}

export function call(port: number, method: string, path: string, body: string | undefined, options: ClientOptions, headers: Record<string, string> = {}): Promise<ClientResponse> {
  return new Promise((resolve, reject) => {
    const outgoing = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        ca: options.ca,
        servername: options.servername ?? 'rampart.test',
        ...(options.agent !== undefined ? { agent: options.agent } : { agent: false }),
        headers: { ...(body !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } : {}), ...headers },
        timeout: options.timeoutMs ?? 5000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: response.headers }));
        response.on('error', reject);
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error('request timed out')));
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}
