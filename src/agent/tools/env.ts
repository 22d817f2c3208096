/** The environment of tool processes: an allowlist, never the runner's secrets. */

const ALLOWED = new Set(['PATH', 'LANG', 'LANGUAGE', 'TERM', 'TZ']);
const ALLOWED_PREFIXES = ['LC_'];
/** Defence in depth: even an allowed name is dropped when it looks like a secret. */
const SECRET = /(^AWS_|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|_KEY$|^KEY$|_KEY_|APIKEY|API_KEY|PRIVATE|SESSION|AUTH)/i;
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The complete environment for `shell` children: PATH, LANG, LANGUAGE, LC_*, TERM and TZ copied
 * from `parent` (nothing else, so no AWS_*, *_TOKEN, *_SECRET*, *_KEY, *PASSWORD*...), plus
 * HOME and TMPDIR from `opts`, CI=true, GIT_TERMINAL_PROMPT=0 and PAGER=cat for headless use, and
 * PYTHONDONTWRITEBYTECODE=1.
 */
export function buildToolEnv(parent: Record<string, string | undefined>, opts: { home: string; tmpDir: string }): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(parent)) {
    if (value === undefined) continue;
    if (!ALLOWED.has(name) && !ALLOWED_PREFIXES.some((p) => name.startsWith(p))) continue;
    if (SECRET.test(name)) continue;
    env[name] = value;
  }
  env.PATH ??= DEFAULT_PATH;
  env.HOME = opts.home;
  env.TMPDIR = opts.tmpDir;
  env.CI = 'true';
  env.GIT_TERMINAL_PROMPT = '0';
  env.PAGER = 'cat';
  // Python checks cached bytecode by the source's mtime (whole seconds) and size: a fix of the same
  // size made within a second of a test run would leave the stale module in use. The agent edits and
  // re-runs fast, so no bytecode is cached (nor left in the workspace).
  env.PYTHONDONTWRITEBYTECODE = '1';
  return env;
}
