import { describe, expect, it } from 'vitest';
import { buildToolEnv } from '../../../../src/agent/tools/index.ts';

describe('buildToolEnv', () => {
  it('keeps only the allowlist, sets the headless defaults and drops every secret', () => {
    const parent = {
      PATH: '/usr/bin:/bin',
      LANG: 'en_US.UTF-8',
      LC_ALL: 'C.UTF-8',
      LC_SECRET_KEY: 'nope',
      TERM: 'xterm',
      TZ: 'UTC',
      HOME: '/root',
      TMPDIR: '/var/tmp',
      AWS_ACCESS_KEY_ID: 'AKIA...',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'token',
      AWS_REGION: 'us-east-1',
      GITHUB_TOKEN: 'ghp_x',
      OPENAI_API_KEY: 'sk-x',
      DB_PASSWORD: 'pw',
      NPM_CONFIG_USERCONFIG: '/x',
      UNDEFINED_ONE: undefined,
    };
    expect(buildToolEnv(parent, { home: '/tmp/h', tmpDir: '/tmp/t' })).toEqual({
      PATH: '/usr/bin:/bin',
      LANG: 'en_US.UTF-8',
      LC_ALL: 'C.UTF-8',
      TERM: 'xterm',
      TZ: 'UTC',
      HOME: '/tmp/h',
      TMPDIR: '/tmp/t',
      CI: 'true',
      GIT_TERMINAL_PROMPT: '0',
      PAGER: 'cat',
      PYTHONDONTWRITEBYTECODE: '1',
    });
  });

  it('gives a default PATH when the parent has none', () => {
    expect(buildToolEnv({}, { home: '/h', tmpDir: '/t' }).PATH).toBe('/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
  });
});
