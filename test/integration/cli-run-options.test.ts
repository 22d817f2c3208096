/**
 * `agent-runner run` as a newcomer uses it, as a child process against the fake Bedrock: the
 * prompt as an argument or from stdin, --region, the AWS settings refused before any call, the
 * Lambda's variable names ignored locally, and `runs` listing what ran.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { text, toolUse, type FakeBedrock } from '../support/fake-bedrock.ts';
import { readTask, runCli, useFakeBedrockCli, type CliCase } from '../support/cli.ts';

const MODEL = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const cli = useFakeBedrockCli('cli-options');
let fake: FakeBedrock;
let scratch: string;
let ws: string;
let out: string;
let reqs: CliCase['reqs'];
const promptOf = (i: number) => (reqs()[i].body as { messages: { content: { text?: string }[] }[] }).messages[0].content[0].text;

function setup(extra: Record<string, string | undefined> = {}) {
  const c = cli.newCase({}, extra);
  ({ scratch, ws, out, reqs } = c);
  fake = cli.fake();
  return c.env;
}

const run = (env: Record<string, string>, args: string[], opts = {}) => runCli(['run', '--workspace', ws, '--out', out, '--model', MODEL, ...args], env, opts);

describe('agent-runner run: the prompt', () => {
  it('takes it as a positional argument', async () => {
    const env = setup();
    fake.setScript([[text('ok')]]);
    const r = await run(env, ['Say ok']);
    expect(r.code, r.stderr).toBe(0);
    expect(promptOf(0)).toBe('Say ok');
  });

  it.each([
    ['--prompt-file -', ['--prompt-file', '-']],
    ['a positional -', ['-']],
  ])('reads it from stdin with %s', async (_name, args) => {
    const env = setup();
    fake.setScript([[text('ok')]]);
    const r = await run(env, args, { input: 'Fix the bug\nin parse.ts\n' });
    expect(r.code, r.stderr).toBe(0);
    expect([promptOf(0), readTask(out).task.prompt]).toEqual(['Fix the bug\nin parse.ts\n', 'Fix the bug\nin parse.ts\n']);
  });

  it('refuses an empty stdin and a missing prompt with one line and exit 2', async () => {
    const env = setup();
    const empty = await run(env, ['--prompt-file', '-'], { input: '  \n' });
    const none = await run(env, []);
    expect([empty.code, empty.stderr, none.code, none.stderr]).toEqual([
      2, 'agent-runner: the prompt read from stdin is empty\n',
      2, 'agent-runner: no prompt: give it as an argument, with --prompt TEXT or with --prompt-file FILE (- reads stdin)\n',
    ]);
    expect(reqs()).toHaveLength(0);
  });
});

describe('agent-runner run: AWS settings', () => {
  it('--region signs the calls for that region, over AWS_REGION', async () => {
    const env = setup({ AWS_REGION: 'us-east-1' });
    fake.setScript([[text('ok')]]);
    const r = await run(env, ['--region', 'eu-central-1', 'hi']);
    expect(r.code, r.stderr).toBe(0);
    expect(String(reqs()[0].headers.authorization)).toMatch(/\/eu-central-1\/bedrock\/aws4_request/);
  });

  it.each([
    ['--region', {}, ['--region', 'us-est-1'], 'agent-runner: unknown AWS region "us-est-1" (from --region): not a region the AWS SDK knows; check the spelling (e.g. us-east-1, us-west-2, eu-central-1)\n'],
    ['AWS_REGION', { AWS_REGION: 'eu-cental-1' }, [], 'agent-runner: unknown AWS region "eu-cental-1" (from AWS_REGION): not a region the AWS SDK knows; check the spelling (e.g. us-east-1, us-west-2, eu-central-1)\n'],
  ])('refuses an unknown region from %s before any model call, exit 2', async (_from, extra: Record<string, string>, args: string[], message) => {
    const env = setup(extra);
    const r = await run(env, [...args, 'hi']);
    expect({ code: r.code, stderr: r.stderr, calls: reqs().length }).toEqual({ code: 2, stderr: message, calls: 0 });
  });

  it('names the AWS profile when AWS_PROFILE names one that does not exist', async () => {
    const env = setup({ AWS_PROFILE: 'agent-bedrok', AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_SESSION_TOKEN: undefined });
    fs.writeFileSync(env.AWS_CONFIG_FILE, '[profile agent-bedrock]\nregion = us-east-1\n');
    const r = await run(env, ['hi']);
    expect({ code: r.code, stderr: r.stderr, calls: reqs().length }).toEqual({
      code: 2,
      stderr: `agent-runner: the AWS profile agent-bedrok (from AWS_PROFILE) is in neither ${env.AWS_CONFIG_FILE} nor ${env.AWS_SHARED_CREDENTIALS_FILE}: create it with \`aws configure --profile agent-bedrok\` (or \`aws configure sso\`), or name another one\n`,
      calls: 0,
    });
  });

  it("ignores the Lambda's MODEL_ID and MAX_TURNS, reading only its documented AGENT_RUNNER_* settings", async () => {
    const env = setup({ MODEL_ID: 'amazon.titan-text-express-v1', MAX_TURNS: '1', MAX_COST_USD: 'oops' });
    fake.setScript([[toolUse('l1', 'list_files', {})], [text('done')]]);
    const r = await runCli(['run', '--workspace', ws, '--out', out, 'two turns'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(readTask(out).result).toMatchObject({ status: 'succeeded', turns: 2, model: MODEL });
    fake.setScript([[toolUse('l2', 'list_files', {})], [text('never')]]);
    const limited = await runCli(['run', '--workspace', ws, '--out', path.join(scratch, 'out2'), 'one turn'], { ...env, AGENT_RUNNER_MAX_TURNS: '1' });
    expect(limited.code).toBe(3);
  });
});

describe('agent-runner runs', () => {
  it('lists past runs newest first with id, time, status, cost and the head of the prompt', async () => {
    const env = setup();
    fake.setScript([[text('one')], [toolUse('l1', 'list_files', {})], [text('never')]]);
    expect((await run(env, ['First task\nwith a second line'])).code).toBe(0);
    expect((await run(env, ['--max-turns', '1', 'Second task'])).code).toBe(3);
    const ids = fs.readdirSync(out);
    const json = await runCli(['runs', '--out', out, '--json'], env);
    const listed = json.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(listed.map((r) => ({ ...r, time: typeof r.time, costUsd: typeof r.costUsd }))).toEqual([
      { taskId: expect.any(String), time: 'string', status: 'limit_reached', costUsd: 'number', turns: 1, prompt: 'Second task' },
      { taskId: expect.any(String), time: 'string', status: 'succeeded', costUsd: 'number', turns: 1, prompt: 'First task\nwith a second line' },
    ]);
    expect(listed.map((r) => r.taskId).sort()).toEqual(ids.sort());
    const table = await runCli(['runs', '--out', out], env);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+STARTED\s+STATUS\s+COST\s+PROMPT$/);
    expect(lines[1]).toMatch(new RegExp(`^${listed[0].taskId}\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d\\s+limit_reached\\s+\\$\\d+\\.\\d{4}\\s+Second task$`));
    expect(lines[2]).toMatch(/\s+succeeded\s+\$\d+\.\d{4}\s+First task$/);
    const one = await runCli(['runs', '--out', out, '--limit', '1'], env);
    expect([one.stdout.trim().split('\n').length, one.stderr]).toEqual([2, '(1 older run not shown: --all lists them)\n']);
  });
});
