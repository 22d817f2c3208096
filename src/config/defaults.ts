/** The defaults a run starts from, before the config file, its profiles, the environment and flags. */
export const DEFAULT_MODEL = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
export const DEFAULT_LIMITS = { maxTurns: 50, maxCostUsd: 5, timeoutSeconds: 3600 } as const;
export const DEFAULT_SHELL_TIMEOUT_MS = 120_000;
/** Default time limit of each workspace setup step (the worker's `[setup]`). */
export const DEFAULT_SETUP_TIMEOUT_SECONDS = 600;
