import { describe, expect, it } from 'vitest';
import { buildTaskMessage, checkTaskId, inputKey, newTaskId, parseGithubSpec } from '../../../src/client/task-message.ts';
import { parseTaskMessage } from '../../../src/task/index.ts';
import { ClientConfigError } from '../../../src/client/errors.ts';

describe('buildTaskMessage', () => {
  it('builds a contract message the worker accepts as is, leaving unset fields out', () => {
    const msg = buildTaskMessage({
      taskId: 't-1',
      prompt: 'fix the bug',
      source: { s3: { bucket: 'artifacts-1', key: inputKey('t-1') } },
      model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
      limits: { maxTurns: 5, maxCostUsd: undefined, timeoutSeconds: 600 },
    });
    expect(msg).toEqual({
      taskId: 't-1',
      prompt: 'fix the bug',
      source: { s3: { bucket: 'artifacts-1', key: 'inputs/t-1.tar.gz' } },
      model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
      limits: { maxTurns: 5, timeoutSeconds: 600 },
    });
    expect(parseTaskMessage(JSON.stringify(msg), { messageId: 'm', newId: () => 'x' })).toEqual({
      ok: true,
      task: { taskId: 't-1', prompt: 'fix the bug', source: { s3: { bucket: 'artifacts-1', key: 'inputs/t-1.tar.gz' } }, model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', limits: { maxTurns: 5, timeoutSeconds: 600 } },
    });
  });

  it('refuses what the worker would reject, naming the field', () => {
    const err = (() => {
      try {
        buildTaskMessage({ taskId: 't', prompt: 'p', source: { git: { url: 'ftp://x/y', ref: 'main' } } });
      } catch (e) {
        return e as ClientConfigError;
      }
    })();
    expect({ type: err?.constructor, message: err?.message }).toEqual({ type: ClientConfigError, message: 'invalid task: source.git.url: must be an http(s) URL' });
    expect(() => buildTaskMessage({ taskId: 't', prompt: 'p', source: { github: { owner: 'o', repo: 'r' } }, profile: 'bad profile' })).toThrow('invalid task: profile: must be a profile name');
  });
});

describe('parseGithubSpec, checkTaskId, newTaskId', () => {
  it('reads owner/repo@ref with an optional ref', () => {
    expect([parseGithubSpec('octo/hello.git@feature/x'), parseGithubSpec('octo/hello')]).toEqual([
      { owner: 'octo', repo: 'hello', ref: 'feature/x' },
      { owner: 'octo', repo: 'hello' },
    ]);
    expect(() => parseGithubSpec('just-a-name')).toThrow('--github "just-a-name" is not of the form owner/repo@ref');
  });

  it('checks task ids against the contract', () => {
    expect(checkTaskId('abc_DEF-1')).toBe('abc_DEF-1');
    expect(() => checkTaskId('a/b')).toThrow('--task-id "a/b" must match [A-Za-z0-9_-]{1,64}');
    expect(() => checkTaskId('x'.repeat(65), 'TASK_ID')).toThrow(/^TASK_ID "x+" must match/);
  });

  it('makes sortable ids from the clock and a random part', () => {
    expect(newTaskId(new Date('2025-06-07T08:09:10.123Z'), () => 'abcd1234')).toBe('20250607T080910Z-abcd1234');
    // 128 random bits after the time.
    expect(newTaskId(new Date('2025-06-07T08:09:10Z'))).toMatch(/^20250607T080910Z-[0-9a-f]{32}$/);
  });
});
