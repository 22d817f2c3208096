/**
 * Transport faults a local fake server can play on its listener, shared by the fakes of Bedrock
 * and of the OpenAI-style APIs: connections reset (TCP RST) as soon as they are accepted, and a
 * listener that refuses connections (closed, ECONNREFUSED) until it is opened again on its port.
 */
import type net from 'node:net';

export class ConnectionFaults {
  /** Connections reset so far. */
  resets = 0;
  private pendingResets = 0;
  private port = 0;

  constructor(
    private readonly server: net.Server,
    private readonly sockets: Set<net.Socket>,
  ) {}

  /** The next `n` connections are reset (RST, no byte answered) as soon as they are accepted. */
  resetNext(n = 1): void {
    this.pendingResets += n;
  }

  /** Called first for every accepted socket: true when it was reset (the server must drop it). */
  intercept(socket: net.Socket): boolean {
    if (this.pendingResets === 0) return false;
    this.pendingResets--;
    this.resets++;
    socket.resetAndDestroy();
    return true;
  }

  /** Refuses connections from now on (the port is closed) and drops the open ones, kept-alive included. */
  refuse(): void {
    this.port = (this.server.address() as net.AddressInfo).port;
    this.server.close();
    for (const s of this.sockets) s.destroy();
  }

  /** Accepts connections again, on the port it had. */
  async accept(): Promise<void> {
    if (this.server.listening) return;
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }
}

/**
 * Waits `ms`, or less when the response closes first (the client went away, or the server is
 * closing): a fake never outlives its client. Resolves true when the response closed.
 */
export function pauseUnlessClosed(ms: number, res: { once(event: 'close', cb: () => void): unknown; off(event: 'close', cb: () => void): unknown }): Promise<boolean> {
  return new Promise((resolve) => {
    const end = (closed: boolean) => () => {
      clearTimeout(timer);
      res.off('close', onClose);
      resolve(closed);
    };
    const onClose = end(true);
    const timer = setTimeout(end(false), ms);
    res.once('close', onClose);
  });
}
