import { describe, expect, it } from 'vitest';
import type { TaskResult } from '../../../../src/task/events.ts';
import { renderMessage } from '../../../../src/github/publish/text.ts';

const result: TaskResult = {
  taskId: 't1',
  status: 'succeeded',
  stopReason: 'end_turn',
  turns: 4,
  model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
  usage: { inputTokens: 1000, outputTokens: 200, cacheReadInputTokens: 50, cacheWriteInputTokens: 10 },
  costUsd: 0.01234,
  diff: { files: 1, additions: 2, deletions: 1 },
};
const common = { taskId: 't1', result, summary: 'Fixed the typo.', transcriptUri: 's3://b/tasks/t1/transcript.json' };
const table = [
  '| | |',
  '|---|---|',
  '| status | succeeded (end_turn) |',
  '| turns | 4 |',
  '| cost | $0.0123 |',
  '| model | `us.anthropic.claude-sonnet-4-5-20250929-v1:0` |',
  '| tokens | 1000 in, 200 out, 50 cache read, 10 cache write |',
  '| cache-read share | 5% of input tokens |',
  '| diff | 1 files, +2 −1 |',
].join('\n');

describe('renderMessage', () => {
  it('writes a draft pull request that closes the issue and reports turns, cost and the transcript', () => {
    const m = renderMessage({ ...common, kind: 'pull_request', issue: 1, issueIsPullRequest: false, issueTitle: 'Spelling error', files: [{ path: 'README', change: 'modified' }] });
    expect(m).toEqual({
      title: 'agent: Spelling error',
      body: `Closes #1\n\nDraft change by agent-runner task \`t1\` for #1. Review it before marking it ready.\n\n### Summary\n\nFixed the typo.\n\n### Files\n\n- \`README\` (modified)\n\n${table}\n\nTranscript: \`s3://b/tasks/t1/transcript.json\`\n\n<!-- agent-runner:task=t1 -->`,
    });
  });

  it('only refers to a pull request it was asked from', () => {
    const m = renderMessage({ ...common, kind: 'pull_request', issue: 9, issueIsPullRequest: true, issueTitle: 'Feature', files: [] });
    expect(m.body.startsWith('Refs #9\n')).toBe(true);
  });

  it('says why nothing was published on failure', () => {
    const failed = { ...result, status: 'failed' as const, stopReason: 'error', error: { code: 'throttled', message: 'Bedrock kept throttling' } };
    const m = renderMessage({ ...common, result: failed, summary: '', kind: 'failed' });
    expect(m.body.split('\n\n')[0]).toBe('agent-runner task `t1` failed: `throttled`: Bedrock kept throttling. Nothing was published.');
  });

  it('carries the task trailer in commit messages', () => {
    expect(renderMessage({ ...common, kind: 'commit', issue: 3, files: [] })).toEqual({ title: 'agent: changes for #3', body: 'agent: changes for #3\n\nFixed the typo.\n\nAgent-Runner-Task: t1' });
  });
});

describe('renderMessage of attribution', () => {
  it('names the model an application inference profile is priced as', () => {
    const arn = 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123';
    const m = renderMessage({ ...common, result: { ...result, model: arn, baseModel: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0' }, kind: 'no_change' });
    expect(m.body).toContain(`| model | \`${arn}\` (priced as \`us.anthropic.claude-sonnet-4-5-20250929-v1:0\`) |`);
  });
});

describe('renderMessage for a limit', () => {
  it('points at the partial change a task left when it stopped at a limit', () => {
    const limited = { ...result, status: 'limit_reached' as const, stopReason: 'max_turns' };
    const m = renderMessage({ ...common, result: limited, summary: '', kind: 'failed', diffUri: 's3://b/tasks/t1/diff.patch' });
    expect(m.body.split('\n\n')[0]).toBe('agent-runner task `t1` stopped at a limit. Nothing was published. Its partial change is at `s3://b/tasks/t1/diff.patch`.');
  });
});
