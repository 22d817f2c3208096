import { ConfigError, loadConfig } from '../config/index.ts';
import { ModelNotSupportedError, requireToolModel } from '../providers/index.ts';
import type { Task } from '../task/types.ts';
import { TaskSettingsError } from './errors.ts';
import type { TaskSettings } from './record.ts';

export interface SettingsSource {
  /** The function's environment: MODEL_ID, MAX_TURNS, MAX_COST_USD, TIMEOUT_SECONDS. */
  env: Record<string, string | undefined>;
  /** Optional TOML configuration (profiles) deployed with the function. */
  configText?: string;
}

/**
 * Builds the worker's `settings(task)`: configuration (defaults, optional TOML, the function's
 * environment) with the task's model and limits on top. A task naming an unknown profile, a
 * provider the worker cannot call, or a model without tool use throws TaskSettingsError (the task
 * is rejected). Checks the environment once now, so a misconfigured function fails at start-up.
 */
export function createTaskSettings(src: SettingsSource): { settings: (task: Task) => TaskSettings; defaultModel: string } {
  const base = loadConfig({ text: src.configText, sourceName: 'AGENT_RUNNER_CONFIG', env: src.env }).config;
  const settings = (task: Task): TaskSettings => {
    let config;
    try {
      config = loadConfig({
        text: src.configText,
        sourceName: 'AGENT_RUNNER_CONFIG',
        env: src.env,
        profile: task.profile,
        overrides: {
          ...(task.model !== undefined ? { model: task.model } : {}),
          limits: { ...task.limits },
        },
      }).config;
    } catch (err) {
      if (err instanceof ConfigError) throw new TaskSettingsError(task.profile !== undefined && err.key === 'profile' ? 'profile' : (err.key ?? 'task'), err.message, { cause: err });
      throw err;
    }
    if (config.provider !== 'amazon-bedrock') {
      throw new TaskSettingsError('profile', `the worker calls Amazon Bedrock only, not ${config.provider}`);
    }
    try {
      const model = requireToolModel(config.model);
      return {
        model,
        limits: config.limits,
        ...(config.reasoningEffort ? { reasoningEffort: config.reasoningEffort } : {}),
        shellTimeoutMs: config.shellTimeoutMs,
      };
    } catch (err) {
      if (err instanceof ModelNotSupportedError) throw new TaskSettingsError('model', err.message, { cause: err });
      throw err;
    }
  };
  return { settings, defaultModel: base.model };
}
