import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsProfileExists, checkAwsAccess, isKnownRegion } from '../../../src/client/aws-checks.ts';

let dir: string;
let env: Record<string, string>;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aws-checks-'));
  fs.writeFileSync(path.join(dir, 'config'), '[default]\nregion = us-east-1\n\n[profile dev]\nregion = eu-west-1\n[sso-session corp]\nsso_region = us-east-1\n');
  fs.writeFileSync(path.join(dir, 'credentials'), '[ci]\naws_access_key_id = AKIDEXAMPLE\n');
  env = { AWS_CONFIG_FILE: path.join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'credentials') };
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const files = () => ({ config: env.AWS_CONFIG_FILE, credentials: env.AWS_SHARED_CREDENTIALS_FILE });
const ok = { region: async () => 'us-east-1', credentials: async () => ({ accessKeyId: 'a', secretAccessKey: 'b' }) };
const noCredentials = async () => {
  throw new Error('Could not load credentials from any providers');
};
async function message(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (err) {
    return `${(err as Error).name}: ${(err as Error).message}`;
  }
}

describe('isKnownRegion', () => {
  it('knows the regions of the SDK and refuses typos and made-up names', () => {
    expect(['us-east-1', 'eu-central-1', 'ap-southeast-7', 'cn-north-1', 'us-gov-west-1'].map(isKnownRegion)).toEqual([true, true, true, true, true]);
    expect(['us-est-1', 'useast1', 'mars-1', ''].map(isKnownRegion)).toEqual([false, false, false, false]);
  });
});

describe('awsProfileExists', () => {
  it('finds default and [profile NAME] in the config file and [NAME] in the credentials file', () => {
    expect(['default', 'dev', 'ci', 'corp', 'nope'].map((p) => awsProfileExists(p, files()))).toEqual([true, true, true, false, false]);
    expect(awsProfileExists('default', { config: path.join(dir, 'none'), credentials: path.join(dir, 'none') })).toBe(false);
  });
});

describe('checkAwsAccess', () => {
  it('returns the region when region and credentials resolve', async () => {
    expect(await checkAwsAccess(ok, env)).toBe('us-east-1');
  });

  it('names a profile from AWS_PROFILE that exists in neither file, when credentials cannot be found', async () => {
    expect(await message(checkAwsAccess({ ...ok, credentials: noCredentials }, { ...env, AWS_PROFILE: 'typo' }))).toBe(
      `ClientConfigError: the AWS profile typo (from AWS_PROFILE) is in neither ${env.AWS_CONFIG_FILE} nor ${env.AWS_SHARED_CREDENTIALS_FILE}: create it with \`aws configure --profile typo\` (or \`aws configure sso\`), or name another one`,
    );
    expect(await message(checkAwsAccess({ region: async () => { throw new Error('Region is missing'); }, credentials: ok.credentials }, env, { profile: { name: 'gone', from: 'the config file' } }))).toMatch(/^ClientConfigError: the AWS profile gone \(from the config file\) is in neither /);
  });

  it('says what to set when there is no region, and which source named an unknown one', async () => {
    expect(await message(checkAwsAccess({ ...ok, region: async () => { throw new Error('Region is missing'); } }, env, { regionHint: 'set AWS_REGION or pass --region' }))).toBe('ClientConfigError: no AWS region is configured: set AWS_REGION or pass --region');
    expect(await message(checkAwsAccess({ ...ok, region: async () => 'us-est-1' }, { ...env, AWS_REGION: 'us-est-1' }))).toBe(
      'ClientConfigError: unknown AWS region "us-est-1" (from AWS_REGION): not a region the AWS SDK knows; check the spelling (e.g. us-east-1, us-west-2, eu-central-1)',
    );
  });

  it('reports missing credentials with the first line of the SDK message when the profile is fine', async () => {
    expect(await message(checkAwsAccess({ ...ok, credentials: noCredentials }, { ...env, AWS_PROFILE: 'dev' }))).toBe(
      'ClientConfigError: no AWS credentials found (Could not load credentials from any providers): configure them with `aws configure`, AWS_PROFILE, the AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY variables or an OIDC role in CI',
    );
  });
});
