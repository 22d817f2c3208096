/**
 * A local AWS Secrets Manager for tests: GetSecretValue over the JSON 1.1 protocol on 127.0.0.1
 * (ephemeral port), for the secrets given by ARN, counting every call. Point a client at it with
 * `AWS_ENDPOINT_URL_SECRETS_MANAGER` or its `endpoint`.
 *
 *   const sm = await startSecretsManager({ [ARN]: 'value' });   // or startSecretsManager(ARN, 'value')
 *   ... sm.calls → ['secretsmanager.GetSecretValue arn:...']; sm.secrets.set(ARN, 'rotated')
 *   await sm.close();
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeSecretsManager {
  url: string;
  /** `<X-Amz-Target> <SecretId>` for every request, in order. */
  calls: string[];
  /** The secrets by ARN; change them to rotate. */
  secrets: Map<string, string>;
  server: Server;
  close(): Promise<void>;
}

const JSON_11 = { 'content-type': 'application/x-amz-json-1.1' };

export async function startSecretsManager(secrets: Record<string, string>): Promise<FakeSecretsManager>;
export async function startSecretsManager(arn: string, value: string): Promise<FakeSecretsManager>;
export async function startSecretsManager(arnOrSecrets: string | Record<string, string>, value?: string): Promise<FakeSecretsManager> {
  const secrets = new Map(Object.entries(typeof arnOrSecrets === 'string' ? { [arnOrSecrets]: value ?? '' } : arnOrSecrets));
  const calls: string[] = [];
  const server = createServer(async (req, res) => {
    let body = '';
    for await (const c of req) body += c;
    const id = String((JSON.parse(body || '{}') as { SecretId?: unknown }).SecretId);
    calls.push(`${req.headers['x-amz-target']} ${id}`);
    const secret = secrets.get(id);
    if (req.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue' || secret === undefined) {
      res.writeHead(400, JSON_11).end(JSON.stringify({ __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." }));
      return;
    }
    res.writeHead(200, JSON_11).end(JSON.stringify({ ARN: id, Name: id.split(':').pop(), SecretString: secret, VersionId: 'v1', VersionStages: ['AWSCURRENT'] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    secrets,
    server,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
