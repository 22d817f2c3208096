import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { startEmulator, type Emulator } from '../../src/local/emulator.ts';

/** Fake static keys: fauxqs accepts any credentials. */
export const FAKE_CREDENTIALS = { accessKeyId: 'AKIDFAKEFAKEFAKE', secretAccessKey: 'fake-secret-key' };
export const REGION = 'us-east-1';

export interface LocalAws {
  emulator: Emulator;
  /** `http://127.0.0.1:<port>`: the value for AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL_SQS. */
  endpoint: string;
  s3: S3Client;
  sqs: SQSClient;
  /** The standard variables pointing code under test (which builds its own clients) at fauxqs. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Starts fauxqs in-process (library mode) on an ephemeral loopback port, with S3 (path-style) and
 * SQS clients, and creates `buckets`.
 */
export async function startLocalAws(opts: { buckets?: string[] } = {}): Promise<LocalAws> {
  const emulator = await startEmulator({ region: REGION });
  const endpoint = emulator.endpoint;
  const s3 = new S3Client({ region: REGION, endpoint, forcePathStyle: true, credentials: FAKE_CREDENTIALS });
  const sqs = new SQSClient({ region: REGION, endpoint, credentials: FAKE_CREDENTIALS });
  for (const b of opts.buckets ?? []) await s3.send(new CreateBucketCommand({ Bucket: b }));
  const env = {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_ENDPOINT_URL_SQS: endpoint,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  return {
    emulator,
    endpoint,
    s3,
    sqs,
    env,
    async stop() {
      s3.destroy();
      sqs.destroy();
      await emulator.close();
    },
  };
}

/** Sets `vars` in process.env and returns a function restoring the previous values exactly. */
export function setEnv(vars: Record<string, string | undefined>): () => void {
  const saved = new Map<string, string | undefined>();
  for (const [k, v] of Object.entries(vars)) {
    saved.set(k, process.env[k]);
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  return () => {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}
