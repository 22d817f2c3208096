// The same task as `agent-runner run` gets in the CLI benchmark (bench/cli-start.ts), through the
// Strands Agents TypeScript SDK: a Bedrock model (pointed at the fake by
// AWS_ENDPOINT_URL_BEDROCK_RUNTIME, as agent-runner is) and one `shell` tool that runs its command
// with /bin/sh, as agent-runner's does. Copied next to the SDK's node_modules by the benchmark,
// which installs the SDK there on first use. argv: model id, workspace, prompt.
import { execFile } from 'node:child_process';
import { Agent, BedrockModel, tool } from '@strands-agents/sdk';

const [modelId, workspace, prompt] = process.argv.slice(2);
const shell = tool({
  name: 'shell',
  description: 'Run a shell command in the workspace; returns its exit code and output.',
  inputSchema: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] },
  callback: (input) =>
    new Promise((resolve) => {
      execFile('/bin/sh', ['-c', input.command], { cwd: workspace }, (err, stdout, stderr) => resolve(`exit code: ${err ? (err.code ?? 1) : 0}\n${stdout}${stderr}`));
    }),
});
const agent = new Agent({ model: new BedrockModel({ modelId, region: process.env.AWS_REGION }), tools: [shell], printer: false });
const result = await agent.invoke(prompt);
process.stdout.write(`${JSON.stringify({ stopReason: result.stopReason })}\n`);
