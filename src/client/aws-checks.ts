import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { partition } from '@aws-sdk/core/client';
import { ClientConfigError } from './errors.ts';

/**
 * Whether the AWS SDK knows `region` by name (its partition table: every public, China and
 * GovCloud region of its release). A typo such as `us-est-1` is not known. Should the SDK stop
 * describing regions, every region counts as known rather than none.
 */
export function isKnownRegion(region: string): boolean {
  const described = (r: string) => (partition(r) as { description?: string }).description !== undefined;
  return !described('us-east-1') || described(region);
}

/** The shared AWS files the SDK reads, as it finds them (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/). */
export function sharedAwsFiles(env: Record<string, string | undefined>): { config: string; credentials: string } {
  const home = env.HOME || os.homedir();
  return {
    config: env.AWS_CONFIG_FILE || path.join(home, '.aws', 'config'),
    credentials: env.AWS_SHARED_CREDENTIALS_FILE || path.join(home, '.aws', 'credentials'),
  };
}

/**
 * Whether a profile named `name` exists in the shared AWS files: `[profile NAME]` (or
 * `[NAME]` for default) in the config file, `[NAME]` in the credentials file.
 */
export function awsProfileExists(name: string, files: { config: string; credentials: string }): boolean {
  const sections = (file: string): string[] => {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      return [];
    }
    return [...text.matchAll(/^\s*\[([^\]]+)\]/gm)].map((m) => m[1].trim());
  };
  const inConfig = sections(files.config).some((s) => s.replace(/^profile\s+/, '') === name);
  return inConfig || sections(files.credentials).includes(name);
}

/** What checkAwsAccess needs of an SDK client's resolved configuration. */
export interface AwsConfigResolvers {
  region: () => Promise<string>;
  credentials: () => Promise<unknown>;
}

export interface AwsAccessOptions {
  /** Where a region could have come from, for the message (e.g. `--region` when set). */
  regionFrom?: string;
  /** How to set a region, for the message when none is found. */
  regionHint?: string;
  /** The profile the client uses when not AWS_PROFILE (e.g. from the config file). */
  profile?: { name: string; from: string };
}

/**
 * Resolves the client's region and credentials before any call, so that each problem is one
 * ClientConfigError saying what to do: a profile that does not exist (named with where it came
 * from), no region, a region the SDK does not know, no credentials. Returns the region.
 */
export async function checkAwsAccess(resolvers: AwsConfigResolvers, env: Record<string, string | undefined>, opts: AwsAccessOptions = {}): Promise<string> {
  const profile = opts.profile ?? (env.AWS_PROFILE ? { name: env.AWS_PROFILE, from: 'AWS_PROFILE' } : undefined);
  const missingProfile = () => {
    const files = sharedAwsFiles(env);
    if (!profile || awsProfileExists(profile.name, files)) return undefined;
    return new ClientConfigError(`the AWS profile ${profile.name} (from ${profile.from}) is in neither ${files.config} nor ${files.credentials}: create it with \`aws configure --profile ${profile.name}\` (or \`aws configure sso\`), or name another one`);
  };
  let region: string | undefined;
  try {
    region = await resolvers.region();
  } catch {
    // reported below
  }
  if (!region) throw missingProfile() ?? new ClientConfigError(`no AWS region is configured: ${opts.regionHint ?? 'set AWS_REGION (or a region in your AWS profile)'}`);
  if (!isKnownRegion(region)) {
    const from = opts.regionFrom ?? (env.AWS_REGION ? 'AWS_REGION' : env.AWS_DEFAULT_REGION ? 'AWS_DEFAULT_REGION' : 'the AWS profile');
    throw new ClientConfigError(`unknown AWS region ${JSON.stringify(region)} (from ${from}): not a region the AWS SDK knows; check the spelling (e.g. us-east-1, us-west-2, eu-central-1)`);
  }
  try {
    await resolvers.credentials();
  } catch (err) {
    throw (
      missingProfile() ??
      new ClientConfigError(
        `no AWS credentials found (${String((err as Error)?.message ?? err).split('\n')[0].slice(0, 200)}): configure them with \`aws configure\`, AWS_PROFILE, the AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY variables or an OIDC role in CI`,
        { cause: err },
      )
    );
  }
  return region;
}
