import { Worker } from 'node:worker_threads';

/**
 * The proxy itself, in a worker thread of its own: a test that also generates load (2,000
 * requests at once) must not slow the servers' database round trips by starving the proxy of
 * its event loop.
 */
const PROXY_CODE = `
const net = require('node:net');
const { parentPort, workerData } = require('node:worker_threads');
const pairs = new Set();
let server = null;
let frozen = false;
let port = 0;
async function start() {
  frozen = false;
  for (const [a, b] of pairs) { a.resume(); b.resume(); }
  if (server) return;
  const s = net.createServer((client) => {
    const upstream = net.connect(workerData.port, workerData.host);
    const pair = [client, upstream];
    pairs.add(pair);
    const end = () => { client.destroy(); upstream.destroy(); pairs.delete(pair); };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
    if (frozen) { client.pause(); upstream.pause(); }
  });
  await new Promise((resolve, reject) => { s.once('error', reject); s.listen(port, '127.0.0.1', resolve); });
  port = s.address().port;
  server = s;
}
async function stop() {
  const s = server;
  server = null;
  for (const [a, b] of pairs) { a.destroy(); b.destroy(); }
  pairs.clear();
  if (s) await new Promise((r) => s.close(() => r()));
}
function freeze() {
  frozen = true;
  for (const [a, b] of pairs) { a.pause(); b.pause(); }
}
parentPort.on('message', async ({ id, cmd }) => {
  try {
    if (cmd === 'start') await start();
    else if (cmd === 'stop') await stop();
    else if (cmd === 'freeze') freeze();
    parentPort.postMessage({ id, port });
  } catch (e) {
    parentPort.postMessage({ id, error: e.message });
  }
});
`;

/**
 * A TCP proxy between the app and Postgres that a test can break: `stop()` closes every
 * connection and refuses new ones (the database is down), `freeze()` keeps connections open
 * but passes no bytes (the database hangs), `start()` restores normal service. `close()` ends it.
 */
export class TcpProxy {
  private readonly worker: Worker;
  private seq = 0;
  private readonly waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  port = 0;

  constructor(targetHost: string, targetPort: number) {
    this.worker = new Worker(PROXY_CODE, { eval: true, workerData: { host: targetHost, port: targetPort } });
    this.worker.on('message', (m: { id: number; port: number; error?: string }) => {
      const w = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (m.port) this.port = m.port;
      if (m.error) w?.reject(new Error(m.error));
      else w?.resolve();
    });
  }

  private send(cmd: 'start' | 'stop' | 'freeze'): Promise<void> {
    const id = ++this.seq;
    return new Promise<void>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, cmd });
    });
  }

  start(): Promise<void> {
    return this.send('start');
  }

  /** Postgres "stopped": existing connections reset, new ones refused. */
  stop(): Promise<void> {
    return this.send('stop');
  }

  /** Postgres "frozen": connections stay open (and new ones are accepted) but nothing moves. */
  freeze(): Promise<void> {
    return this.send('freeze');
  }

  /** Stops proxying and ends the thread. */
  async close(): Promise<void> {
    await this.stop();
    await this.worker.terminate();
  }

  get url(): string {
    return `127.0.0.1:${this.port}`;
  }
}
