import { DEFAULT_LIMITS, DEFAULT_MODEL } from '../config/defaults.ts';
import { AWS_ENVIRONMENT, REMOTE_EXIT_CODES, STACK_ENVIRONMENT, TASK_EXIT_CODES, type HelpSections } from './help.ts';

const NO_COLOR: [string, string] = ['NO_COLOR', 'no colours on the terminal'];

/** What each command's `--help` shows after its options: defaults, environment, exit codes, examples. */
export const COMMAND_HELP: Record<string, HelpSections> = {
  run: {
    defaults: [
      ['model', `${DEFAULT_MODEL} (or \`model\` of the config file)`],
      ['limits', `${DEFAULT_LIMITS.maxTurns} turns, USD ${DEFAULT_LIMITS.maxCostUsd}, ${DEFAULT_LIMITS.timeoutSeconds} s (or [limits] of the config file)`],
      ['--out', "~/.agent-runner/runs; the run's folder is OUT/<taskId>/"],
      ['precedence', 'flags > AGENT_RUNNER_* variables > profile > config file > defaults'],
    ],
    environment: [
      ['AGENT_RUNNER_MODEL', 'the model, as --model'],
      ['AGENT_RUNNER_PROFILE', 'the configuration profile, as --profile'],
      ['AGENT_RUNNER_MAX_TURNS', 'as --max-turns (also _MAX_COST_USD, _TIMEOUT_SECONDS)'],
      ...AWS_ENVIRONMENT,
      ['OPENAI_API_KEY, ...', "the key of a provider the config file names (its env_key)"],
      NO_COLOR,
    ],
    exitCodes: TASK_EXIT_CODES,
    examples: [
      ['agent-runner run --workspace ../my-repo "Fix the failing test in src/parse.ts"'],
      ['agent-runner run --prompt-file - < task.md > answer.md', "the prompt from stdin; the model's final message on stdout"],
      ['agent-runner run --json --max-turns 10 --region eu-central-1 "Add a --verbose flag" > events.ndjson', 'every event as JSON'],
    ],
  },
  runs: {
    defaults: [['--out', '~/.agent-runner/runs (where `run` writes without --out)'], ['--limit', '20']],
    environment: [['HOME', 'where ~/.agent-runner/runs is']],
    exitCodes: [['0', 'listed (also when there is nothing to list)'], ['2', 'usage error']],
    examples: [['agent-runner runs'], ['agent-runner runs --limit 5 --json', 'the newest five as JSON lines']],
  },
  enqueue: {
    defaults: [
      ['model, limits', "the stack's (its ModelId, MaxTurns, ... parameters and its config file)"],
      ['--max-upload-mb', '200 (or AGENT_RUNNER_MAX_UPLOAD_MB)'],
      ['--start-timeout-seconds', '900, with --wait'],
    ],
    environment: [...STACK_ENVIRONMENT, ['AGENT_RUNNER_MAX_UPLOAD_MB', 'as --max-upload-mb'], ...AWS_ENVIRONMENT, NO_COLOR],
    exitCodes: REMOTE_EXIT_CODES,
    examples: [
      ['agent-runner enqueue --stack agent-runner --prompt "Fix the flaky test"', 'pack the working tree, send the task, print its id'],
      ['agent-runner enqueue --stack agent-runner --prompt-file task.md --wait --apply', 'wait for it and apply its diff here'],
      ['agent-runner enqueue --stack agent-runner --github octo/repo@main --prompt "Update the README"'],
    ],
  },
  watch: {
    defaults: [['--start-timeout-seconds', '60 for a queued task; a task the stack does not know fails at once (exit 2)']],
    environment: [...STACK_ENVIRONMENT, ...AWS_ENVIRONMENT, NO_COLOR],
    exitCodes: REMOTE_EXIT_CODES,
    examples: [
      ['agent-runner watch 3f2c9a0e4b1d4c6f8a7e5d3c2b1a0f9e --stack agent-runner'],
      ['agent-runner watch "$TASK" --json | jq -c \'select(.type == "tool_call")\'', 'every event as JSON'],
      ['agent-runner watch "$TASK" --apply --out artifacts/', 'then apply the diff and keep the artifacts'],
    ],
  },
  result: {
    defaults: [['--start-timeout-seconds', '60, with --wait']],
    environment: [...STACK_ENVIRONMENT, ...AWS_ENVIRONMENT],
    exitCodes: [...REMOTE_EXIT_CODES.filter(([c]) => c !== '2'), ['2', 'usage or configuration error, or the task has not finished (without --wait) or is not known']],
    examples: [
      ['agent-runner result "$TASK" --stack agent-runner'],
      ['agent-runner result "$TASK" --json | jq .costUsd', 'result.json'],
      ['agent-runner result "$TASK" --apply --out artifacts/', 'apply the diff here and download the artifacts'],
    ],
  },
  cancel: {
    defaults: [
      ['--reason', 'none; the result records who asked: agent-runner cancel (USER)'],
      ['the stack', '--stack, else AGENT_RUNNER_STACK (or --queue-url and --bucket)'],
    ],
    environment: [...STACK_ENVIRONMENT, ['USER', 'who asked, recorded in the cancel request'], ...AWS_ENVIRONMENT],
    exitCodes: [['0', 'the cancel request was written, or the task had already finished (it says so)'], ['1', 'the stack could not be reached'], ['2', 'usage or configuration error (bad task id, no credentials, unknown stack)']],
    examples: [
      ['agent-runner cancel "$TASK" --stack agent-runner --reason "wrong branch"'],
      ['agent-runner cancel "$TASK" --json', '{taskId, state, started?, status?}'],
    ],
  },
  usage: {
    defaults: [
      ['--month', 'the current month (UTC)'],
      ['the stack', '--stack, else AGENT_RUNNER_STACK (or --bucket)'],
    ],
    environment: [...STACK_ENVIRONMENT, ...AWS_ENVIRONMENT],
    exitCodes: [['0', 'printed'], ['1', 'the stack could not be reached'], ['2', 'usage or configuration error (bad --month, no credentials, unknown stack)']],
    examples: [['agent-runner usage --stack agent-runner'], ['agent-runner usage --month 2026-05 --json', "the month's ledger as JSON"]],
  },
  invoke: {
    defaults: [
      ['--timeout', "the function's Timeout in template.yaml (else its Globals)"],
      ['set as Lambda does', 'AWS_REGION (yours, else us-east-1), AWS_LAMBDA_FUNCTION_NAME, _MEMORY_SIZE, ..., TZ=:UTC'],
    ],
    environment: [['(--env-vars FILE)', "the function's variables, in `sam local invoke --env-vars` form"], ...AWS_ENVIRONMENT],
    exitCodes: [
      ['0', 'the handler returned'],
      ['1', 'the handler threw, or reported failed messages (batchItemFailures)'],
      ['2', 'usage error, or the function cannot run (no bundle, no credentials, a local endpoint not listening)'],
    ],
    examples: [
      ['agent-runner dev', 'in another shell first: S3 and SQS at 127.0.0.1:4566, as events/env.json expects'],
      ['agent-runner invoke worker events/worker-sqs.json --env-vars events/env.json --build', 'your AWS credentials: the model is Bedrock'],
      ['sed "s/example-task-1/task-$(date +%s)/" events/worker-sqs.json | agent-runner invoke worker - --env-vars events/env.json', 'a fresh task id'],
    ],
  },
  dev: {
    defaults: [
      ['--port, --progress-port', '4566 (S3 and SQS), 9001 (progress)'],
      ['--bucket, --queue', 'agent-runner-local, agent-runner-tasks (and agent-runner-tasks-dlq)'],
      ['--region', 'AWS_REGION, else us-east-1'],
    ],
    environment: [['AWS_REGION', 'the region of the local stack'], ['AWS_ENDPOINT_URL_BEDROCK_RUNTIME', 'a Bedrock to use instead of the real one (e.g. a fake)'], ['AWS_PROFILE, ...', 'credentials for Bedrock (fake keys are used when there are none)']],
    exitCodes: [['0', 'stopped with Ctrl-C'], ['2', 'usage error, or the stack cannot start (port in use)']],
    examples: [
      ['agent-runner dev', 'then, in another shell, the export lines it prints and agent-runner enqueue ...'],
      ['agent-runner dev --port 0 --progress-port 0 --no-build', 'any free ports, the bundles in dist/ as they are'],
    ],
  },
};
