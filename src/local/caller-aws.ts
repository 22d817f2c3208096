import { S3Client } from '@aws-sdk/client-s3';

export interface CallerCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/**
 * The caller's AWS credentials from the SDK's default chain (variables, AWS_PROFILE, SSO, ...),
 * resolved now: what a local function gets in place of its role's. Undefined when there are none.
 */
export async function callerCredentials(region: string): Promise<CallerCredentials | undefined> {
  const probe = new S3Client({ region });
  try {
    const c = await probe.config.credentials();
    return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}) };
  } catch {
    return undefined;
  } finally {
    probe.destroy();
  }
}

/** The caller's region from the SDK's chain (AWS_REGION, the profile's `region`), undefined when none is set. */
export async function callerRegion(): Promise<string | undefined> {
  const probe = new S3Client({});
  try {
    return await probe.config.region();
  } catch {
    return undefined;
  } finally {
    probe.destroy();
  }
}
