import { describe, expect, it } from 'vitest';
import { createTaskSettings, TaskSettingsError } from '../../../src/worker/index.ts';
import type { Task } from '../../../src/task/types.ts';

const task = (over: Partial<Task> = {}): Task => ({ taskId: 't', prompt: 'p', limits: {}, ...over });

function settingsError(fn: () => unknown): TaskSettingsError {
  try {
    fn();
  } catch (err) {
    if (err instanceof TaskSettingsError) return err;
    throw err;
  }
  throw new Error('expected a TaskSettingsError');
}

describe('createTaskSettings', () => {
  it('takes the model and limits from the function environment, with the task on top', () => {
    const { settings, defaultModel } = createTaskSettings({ env: { MODEL_ID: 'us.anthropic.claude-haiku-4-5-20251001-v1:0', MAX_TURNS: '9', MAX_COST_USD: '0.5', TIMEOUT_SECONDS: '600' } });
    expect(defaultModel).toBe('us.anthropic.claude-haiku-4-5-20251001-v1:0');
    const a = settings(task());
    expect([a.model.id, a.limits]).toEqual(['us.anthropic.claude-haiku-4-5-20251001-v1:0', { maxTurns: 9, maxCostUsd: 0.5, timeoutSeconds: 600 }]);
    const b = settings(task({ model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', limits: { maxTurns: 3 } }));
    expect([b.model.id, b.limits]).toEqual(['us.anthropic.claude-sonnet-4-5-20250929-v1:0', { maxTurns: 3, maxCostUsd: 0.5, timeoutSeconds: 600 }]);
  });

  it('applies a profile of the deployed configuration', () => {
    const { settings } = createTaskSettings({
      env: {},
      configText: '[profiles.cheap]\nmodel = "us.anthropic.claude-haiku-4-5-20251001-v1:0"\n[profiles.cheap.limits]\nmax_turns = 4\n',
    });
    const s = settings(task({ profile: 'cheap' }));
    expect([s.model.id, s.limits.maxTurns]).toEqual(['us.anthropic.claude-haiku-4-5-20251001-v1:0', 4]);
  });

  it('rejects a model without tool use or an unknown profile, naming the field', () => {
    const { settings } = createTaskSettings({ env: {} });
    const model = settingsError(() => settings(task({ model: 'cohere.command-text-v14' })));
    const profile = settingsError(() => settings(task({ profile: 'nope' })));
    expect([model.field, profile.field]).toEqual(['model', 'profile']);
    expect(profile.message).toMatch(/unknown profile nope/);
  });

  it('refuses to start with a broken environment', () => {
    expect(() => createTaskSettings({ env: { MAX_TURNS: 'many' } })).toThrow(/MAX_TURNS/);
  });
});
