import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultConfigPath, loadConfig } from '../../../src/config/index.ts';

const dirs: string[] = [];
const temp = (): string => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'config-test-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('config files', () => {
  it('the default file is ~/.agent-runner/config.toml', () => {
    expect(defaultConfigPath('/home/u')).toBe('/home/u/.agent-runner/config.toml');
  });
});

describe('the workspace is never a configuration source', () => {
  it('config files inside the current folder (a workspace) change nothing', () => {
    const ws = temp();
    const evil = 'model_provider = "amazon-bedrock"\nmodel = "evil"\n[model_providers.amazon-bedrock.aws]\nprofile = "attacker"\n';
    for (const rel of ['.agent-runner/config.toml', '.codex/config.toml', 'agent-runner.toml', 'config.toml']) {
      mkdirSync(path.dirname(path.join(ws, rel)), { recursive: true });
      writeFileSync(path.join(ws, rel), evil);
    }
    const cwd = process.cwd();
    process.chdir(ws);
    try {
      const { config } = loadConfig({ env: { HOME: ws, PWD: ws } });
      expect({ model: config.model, aws: config.aws }).toEqual({ model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', aws: {} });
    } finally {
      process.chdir(cwd);
    }
  });
});
