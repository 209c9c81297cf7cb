import { once } from 'node:events';
import { AddressInfo, createServer, Server, Socket } from 'node:net';

/**
 * A loopback TCP proxy that can turn into a black hole: connections stay open and every byte
 * sent is accepted, but nothing is forwarded and nothing ever comes back. That is what a dead
 * host behind a stateful firewall looks like: no reset, no refusal, a query that never answers.
 * (TcpProxy's cut() resets connections instead, which clients notice at once.)
 */
export class BlackholeProxy {
  private readonly sockets = new Set<Socket>();
  private server: Server | null = null;
  private swallowing = false;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<this> {
    this.server = createServer((client) => this.accept(client));
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** From now on, open and new connections accept bytes and never answer. */
  blackhole(): void {
    this.swallowing = true;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = null;
    if (server) await new Promise((resolve) => server.close(resolve));
  }

  private accept(client: Socket): void {
    this.track(client);
    if (this.swallowing) {
      client.resume(); // read and discard
      return;
    }
    const upstream = new Socket();
    this.track(upstream);
    upstream.connect(this.targetPort, this.targetHost);
    // Forwarding checks the mode per chunk, so a connection open before blackhole() goes silent.
    client.on('data', (chunk) => {
      if (!this.swallowing) upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!this.swallowing) client.write(chunk);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.sockets.delete(socket));
  }
}
