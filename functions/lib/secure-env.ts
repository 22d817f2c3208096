/**
 * Keeps the function's credentials away from the processes its tools start. In Lambda every
 * process runs as one user, and the runtime receives its credentials (and the Runtime API
 * address) in its initial environment, which `/proc/<pid>/environ` shows to any process of that
 * user: a tool could read its parent's. Deleting a variable from `process.env` does not change
 * that file (it shows the original environment block on the stack), so the values are captured
 * into an in-memory credential provider for the SDK clients, deleted, and their bytes in the
 * original block overwritten through `/proc/self/mem`. What remains is documented in
 * docs/security.md (the process's memory, readable where ptrace is allowed).
 */
import fs from 'node:fs';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

type Env = Record<string, string | undefined>;

/** AWS credentials as they were in the environment. */
export interface CapturedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

export interface SecuredEnvironment {
  /** `scrubbed` in Lambda (or when forced); `skipped` elsewhere: nothing was touched. */
  mode: 'scrubbed' | 'skipped';
  /** For every SDK client: the captured keys; undefined leaves the SDK's default chain. */
  credentials?: AwsCredentialIdentityProvider;
  /** The secret values removed (for the redactor's literals); never log them. */
  secretValues: string[];
  /** Names deleted from the environment. */
  removed: string[];
  /** What happened to the original environment block (`/proc/self/environ`). */
  environBlock: 'wiped' | 'untouched' | `failed: ${string}`;
  /** `/proc/sys/kernel/yama/ptrace_scope` when readable: 0 (or no Yama) lets a tool read this process's memory. */
  ptraceScope?: number;
}

export interface SecureEnvOptions {
  /** Default `process.env`; the block is wiped only when it is `process.env`. */
  env?: Env;
  /** Scrub even outside Lambda (tests; a local runner that wants the same isolation). */
  force?: boolean;
  /** `/proc/self` (tests may point elsewhere to simulate a missing /proc). */
  procSelf?: string;
}

const CREDENTIAL_VARS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN', 'AWS_CREDENTIAL_EXPIRATION'];
/**
 * Never needed after start-up and dangerous in a tool's hands: the Runtime API (a tool could take
 * or answer invocations; the runtime client read it before our module loaded) and the container
 * credential endpoint variables.
 */
const ALSO_REMOVED = [
  'AWS_LAMBDA_RUNTIME_API',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
];
/** Other secrets by name (a GitHub token given as a value); `*_ARN` names point to secrets and stay. */
const SECRET_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|PRIVATE_KEY|API_KEY|APIKEY|CREDENTIAL)/i;

/**
 * Captures the AWS credentials from the environment into a provider, then deletes them, the
 * Runtime API address, container-credential variables and other secret-named variables (`*TOKEN*`,
 * `*SECRET*`, `*PASSWORD*`... but not `*_ARN`) from `env`, and overwrites their bytes in the
 * process's original environment block so `/proc/<pid>/environ` no longer shows them. Runs only in
 * Lambda (`AWS_LAMBDA_RUNTIME_API` set) unless `force`; elsewhere it changes nothing and returns
 * `credentials: undefined`. Call it once at module init, after reading every setting you need from
 * the environment, and pass `credentials` to every SDK client. Never throws: a block that cannot
 * be wiped is reported in `environBlock`.
 */
export function secureProcessEnv(opts: SecureEnvOptions = {}): SecuredEnvironment {
  const env = opts.env ?? process.env;
  const procSelf = opts.procSelf ?? '/proc/self';
  const ptraceScope = readPtraceScope();
  const base = ptraceScope === undefined ? {} : { ptraceScope };
  if (!opts.force && !env.AWS_LAMBDA_RUNTIME_API) {
    return { mode: 'skipped', secretValues: [], removed: [], environBlock: 'untouched', ...base };
  }
  const captured = captureCredentials(env);
  // Without static keys (a container-credential endpoint instead), the endpoint and its token are
  // captured as a provider before their variables go, or the SDK would find no credentials at all.
  const container = captured ? undefined : containerCredentials(env);
  const names = Object.keys(env).filter((n) => CREDENTIAL_VARS.includes(n) || ALSO_REMOVED.includes(n) || (SECRET_NAME.test(n) && !/_ARN$/i.test(n)));
  const secretValues = names.filter((n) => n !== 'AWS_LAMBDA_RUNTIME_API' && n !== 'AWS_CREDENTIAL_EXPIRATION').map((n) => env[n]!).filter((v) => v.length > 0);
  for (const n of names) delete env[n];
  const environBlock = env === process.env && names.length > 0 ? wipeEnvironBlock(procSelf, new Set(names)) : 'untouched';
  const credentials = captured ? fromCapturedEnv(captured) : container;
  return { mode: 'scrubbed', ...(credentials ? { credentials } : {}), secretValues, removed: names.sort(), environBlock, ...base };
}

/** The static credentials in `env`, if both keys are there. */
export function captureCredentials(env: Env): CapturedCredentials | undefined {
  const accessKeyId = env.AWS_ACCESS_KEY_ID?.trim();
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY?.trim();
  if (!accessKeyId || !secretAccessKey) return undefined;
  const out: CapturedCredentials = { accessKeyId, secretAccessKey };
  const sessionToken = (env.AWS_SESSION_TOKEN ?? env.AWS_SECURITY_TOKEN)?.trim();
  if (sessionToken) out.sessionToken = sessionToken;
  const expiration = env.AWS_CREDENTIAL_EXPIRATION ? new Date(env.AWS_CREDENTIAL_EXPIRATION) : undefined;
  if (expiration && !Number.isNaN(expiration.getTime())) out.expiration = expiration;
  return out;
}

/**
 * A provider for the container-credential endpoint of `env` (`AWS_CONTAINER_CREDENTIALS_FULL_URI`
 * or `_RELATIVE_URI`, with its authorization token or token file), or undefined without one.
 */
export function containerCredentials(env: Env): AwsCredentialIdentityProvider | undefined {
  const full = env.AWS_CONTAINER_CREDENTIALS_FULL_URI?.trim();
  const relative = env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI?.trim();
  if (!full && !relative) return undefined;
  const token = env.AWS_CONTAINER_AUTHORIZATION_TOKEN?.trim();
  const tokenFile = env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE?.trim();
  const options = {
    ...(full ? { awsContainerCredentialsFullUri: full } : { awsContainerCredentialsRelativeUri: relative }),
    ...(token ? { awsContainerAuthorizationToken: token } : {}),
    ...(tokenFile ? { awsContainerAuthorizationTokenFile: tokenFile } : {}),
  };
  // Loaded at the first signing, and only where the runtime uses such an endpoint.
  let provider: AwsCredentialIdentityProvider | undefined;
  return async (props) => (provider ??= (await import('@aws-sdk/credential-provider-http')).fromHttp(options))(props);
}

/** An SDK credential provider returning `captured` (a fresh copy each call, so no caller can alter it). */
export function fromCapturedEnv(captured: CapturedCredentials): AwsCredentialIdentityProvider {
  const frozen = Object.freeze({ ...captured });
  return async (): Promise<AwsCredentialIdentity> => ({ ...frozen });
}

function readPtraceScope(): number | undefined {
  try {
    const n = Number(fs.readFileSync('/proc/sys/kernel/yama/ptrace_scope', 'utf8').trim());
    return Number.isInteger(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Zeroes the `NAME=value` entries of `names` in the environment block (`env_start`..`env_end`,
 * fields 50 and 51 of /proc/self/stat). Only entries already unset are touched: libc's `environ`
 * no longer points at them, so nothing in the process reads those bytes again.
 */
function wipeEnvironBlock(procSelf: string, names: Set<string>): SecuredEnvironment['environBlock'] {
  let fd: number | undefined;
  try {
    const stat = fs.readFileSync(`${procSelf}/stat`, 'utf8');
    // Field 2 (the command) is in parentheses and may hold spaces: count from after its end.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).trim().split(/\s+/);
    const start = Number(fields[50 - 3]);
    const end = Number(fields[51 - 3]);
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end <= start || end - start > 16 * 1024 * 1024) {
      return `failed: no environment range in ${procSelf}/stat`;
    }
    fd = fs.openSync(`${procSelf}/mem`, 'r+');
    const block = Buffer.alloc(end - start);
    fs.readSync(fd, block, 0, block.length, start);
    let pos = 0;
    while (pos < block.length) {
      let stop = block.indexOf(0, pos);
      if (stop === -1) stop = block.length;
      const eq = block.indexOf(0x3d, pos);
      if (eq !== -1 && eq < stop && names.has(block.toString('latin1', pos, eq))) {
        // A number position: writeSync with a bigint position fails with EIO on /proc/self/mem.
        fs.writeSync(fd, Buffer.alloc(stop - pos), 0, stop - pos, start + pos);
      }
      pos = stop + 1;
    }
    return 'wiped';
  } catch (err) {
    return `failed: ${(err as Error).message}`;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
