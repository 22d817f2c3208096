import type { AddressInfo } from 'node:net';

export interface Emulator {
  /** `http://127.0.0.1:<port>`: the value for AWS_ENDPOINT_URL_S3 and AWS_ENDPOINT_URL_SQS. */
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Starts fauxqs (an S3 and SQS emulator; a dev dependency, Node 22.5+) in this process, bound to
 * `host` (loopback by default) on `port` (0: ephemeral). State is in memory.
 */
export async function startEmulator(opts: { port?: number; host?: string; region?: string } = {}): Promise<Emulator> {
  let mod: typeof import('fauxqs');
  try {
    mod = await import('fauxqs');
  } catch (err) {
    throw new Error(`cannot load the fauxqs emulator (a dev dependency that needs Node 22.5 or newer): ${(err as Error).message}`, {
      cause: err,
    });
  }
  const app = mod.buildApp({ logger: false, defaultRegion: opts.region ?? 'us-east-1' });
  const host = opts.host ?? '127.0.0.1';
  await app.listen({ port: opts.port ?? 0, host });
  const port = (app.server.address() as AddressInfo).port;
  return {
    endpoint: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close: async () => {
      await app.close();
    },
  };
}
