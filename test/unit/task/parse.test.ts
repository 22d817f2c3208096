import { describe, expect, it } from 'vitest';
import { parseTaskMessage } from '../../../src/task/index.ts';

const opts = { messageId: '059f36b4-87a3-44ab-83d2-661975830a7d', newId: () => 'generated-id' };

function rejection(body: unknown, extra: Partial<Parameters<typeof parseTaskMessage>[1]> = {}) {
  return parseTaskMessage(typeof body === 'string' ? body : JSON.stringify(body), { ...opts, ...extra });
}

describe('parseTaskMessage', () => {
  it('accepts a full task and keeps every field', () => {
    const body = {
      taskId: 'fix-123_A',
      prompt: 'Fix the failing test',
      source: { github: { owner: 'octo', repo: 'hello.world', ref: 'feature/x' } },
      model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
      profile: 'ci',
      limits: { maxTurns: 10, maxCostUsd: 1.5, timeoutSeconds: 600 },
      reply: { github: { owner: 'octo', repo: 'hello.world', issue: 7 } },
    };
    expect(rejection(body)).toEqual({ ok: true, task: body });
  });

  it('accepts the continuation form (the hop count) apart from the task, only for a task named by its id', () => {
    expect(rejection({ taskId: 'long-1', prompt: 'go on', continuation: { hop: 3 } })).toEqual({ ok: true, task: { taskId: 'long-1', prompt: 'go on', limits: {} }, continuation: { hop: 3 } });
    expect([
      rejection({ prompt: 'go on', continuation: { hop: 3 } }),
      rejection({ taskId: 't', prompt: 'go on', continuation: { hop: 0 } }),
      rejection({ taskId: 't', prompt: 'go on', continuation: { hop: 2, max: 1000 } }),
    ].map((r) => (r.ok ? 'accepted' : r.error.message))).toEqual([
      'continuation: only a continuation of a task named by taskId carries it',
      'continuation.hop: Too small: expected number to be >0',
      'continuation.max: unknown field',
    ]);
  });

  it('generates a task id and an empty limits object when absent', () => {
    expect(rejection({ prompt: 'hi', source: { s3: { bucket: 'my-bucket', key: 'inputs/x.tar.gz' } } })).toEqual({
      ok: true,
      task: { taskId: 'generated-id', prompt: 'hi', source: { s3: { bucket: 'my-bucket', key: 'inputs/x.tar.gz' } }, limits: {} },
    });
  });

  it('accepts a git source with and without a ref', () => {
    const a = rejection({ prompt: 'p', source: { git: { url: 'https://example.com/r.git' } } });
    const b = rejection({ prompt: 'p', source: { git: { url: 'https://example.com/r.git', ref: 'v1.2' } } });
    expect([a.ok && a.task.source, b.ok && b.task.source]).toEqual([
      { git: { url: 'https://example.com/r.git' } },
      { git: { url: 'https://example.com/r.git', ref: 'v1.2' } },
    ]);
  });

  it('rejects a body that is not JSON under the message id', () => {
    const r = rejection('SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg==');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.taskId).toBe(opts.messageId);
    expect(r.error.code).toBe('invalid_json');
    expect(r.error.message).toMatch(/^the message body is not JSON: /);
  });

  it('rejects a JSON body that is not an object', () => {
    expect(rejection('[1,2]')).toEqual({
      ok: false,
      taskId: opts.messageId,
      error: { code: 'invalid_task', message: 'the message body must be a JSON object' },
    });
  });

  it('names a missing required field, under the body\'s valid taskId', () => {
    expect(rejection({ taskId: 'abc', source: { s3: { bucket: 'bkt', key: 'k' } } })).toEqual({
      ok: false,
      taskId: 'abc',
      error: { code: 'invalid_task', message: 'prompt: required' },
    });
  });

  it('names unknown fields at the top level and inside', () => {
    expect(rejection({ prompt: 'p', colour: 'red' })).toEqual({
      ok: false,
      taskId: opts.messageId,
      error: { code: 'invalid_task', message: 'colour: unknown field' },
    });
    expect(rejection({ prompt: 'p', limits: { maxTurns: 3, turbo: true } })).toEqual({
      ok: false,
      taskId: opts.messageId,
      error: { code: 'invalid_task', message: 'limits.turbo: unknown field' },
    });
  });

  it('names the offending field deep in the source', () => {
    const r = rejection({ prompt: 'p', source: { s3: { bucket: 'Bad_Bucket!', key: 'k' } } });
    expect(r).toEqual({
      ok: false,
      taskId: opts.messageId,
      error: { code: 'invalid_task', message: 'source.s3.bucket: must be a valid S3 bucket name' },
    });
  });

  it('refuses GitHub owners and repositories GitHub would not name (dot segments), and dot segments in refs', () => {
    const bodies = [
      { prompt: 'p', source: { github: { owner: '..', repo: 'r' } } },
      { prompt: 'p', source: { github: { owner: 'o', repo: '..' } } },
      { prompt: 'p', source: { github: { owner: 'o', repo: '.' } } },
      { prompt: 'p', source: { github: { owner: '-o', repo: 'r' } } },
      { prompt: 'p', source: { github: { owner: 'o.x', repo: 'r' } } },
      { prompt: 'p', source: { github: { owner: 'o', repo: 'r', ref: 'a/./b' } } },
      { prompt: 'p', reply: { github: { owner: 'o', repo: '..', issue: 1 } } },
      { prompt: 'p', model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0/../../x' },
    ];
    expect(bodies.map((b) => { const r = rejection(b); return r.ok ? 'accepted' : r.error.message; })).toEqual([
      'source.github.owner: must be a GitHub owner (letters, digits, hyphens and underscores, not starting with a hyphen)',
      'source.github.repo: must be a GitHub repository name (letters, digits, . _ -, not . or ..)',
      'source.github.repo: must be a GitHub repository name (letters, digits, . _ -, not . or ..)',
      'source.github.owner: must be a GitHub owner (letters, digits, hyphens and underscores, not starting with a hyphen)',
      'source.github.owner: must be a GitHub owner (letters, digits, hyphens and underscores, not starting with a hyphen)',
      'source.github.ref: must be a valid git ref',
      'reply.github.repo: must be a GitHub repository name (letters, digits, . _ -, not . or ..)',
      'model: must be a model id, inference-profile id or ARN',
    ]);
    expect(rejection({ prompt: 'p', source: { github: { owner: 'my-org_x', repo: '.github', ref: 'release/1.x' } } }).ok).toBe(true);
  });

  it('requires exactly one kind of source', () => {
    const two = rejection({ prompt: 'p', source: { s3: { bucket: 'bkt', key: 'k' }, git: { url: 'https://x/y.git' } } });
    const none = rejection({ prompt: 'p', source: {} });
    const other = rejection({ prompt: 'p', source: { svn: { url: 'x' } } });
    expect([two, none, other].map((r) => !r.ok && r.error.message)).toEqual([
      'source: must hold exactly one of s3, git or github',
      'source: must hold exactly one of s3, git or github',
      'source.svn: unknown field',
    ]);
  });

  it('rejects an invalid taskId and records the rejection under the message id', () => {
    const r = rejection({ taskId: '../etc', prompt: 'p' });
    expect(r).toEqual({
      ok: false,
      taskId: opts.messageId,
      error: { code: 'invalid_task', message: 'taskId: must match [A-Za-z0-9_-]{1,64}' },
    });
  });

  it('rejects wrong types and non-positive limits, naming the field', () => {
    const msgs = [
      rejection({ prompt: 42 }),
      rejection({ prompt: '   ' }),
      rejection({ prompt: 'p', limits: { maxTurns: 0 } }),
      rejection({ prompt: 'p', limits: { maxTurns: 2.5 } }),
      rejection({ prompt: 'p', source: { git: { url: 'file:///etc/passwd' } } }),
      rejection({ prompt: 'p', source: { git: { url: 'https://x/y.git', ref: '../../x' } } }),
    ].map((r) => (r.ok ? 'accepted' : r.error.message.split(':')[0]));
    expect(msgs).toEqual(['prompt', 'prompt', 'limits.maxTurns', 'limits.maxTurns', 'source.git.url', 'source.git.ref']);
  });

  it('rejects an oversized prompt', () => {
    expect(rejection({ prompt: 'é'.repeat(600) }, { maxPromptBytes: 1000 })).toEqual({
      ok: false,
      taskId: opts.messageId,
      error: { code: 'invalid_task', message: 'prompt: longer than 1000 bytes' },
    });
  });

  it('rejects an s3 bucket outside the allowed list', () => {
    const body = { prompt: 'p', source: { s3: { bucket: 'someone-elses', key: 'k' } } };
    expect(rejection(body, { allowedSourceBuckets: ['mine'] })).toEqual({
      ok: false,
      taskId: opts.messageId,
      error: { code: 'invalid_task', message: 'source.s3.bucket: bucket "someone-elses" is not allowed' },
    });
    expect(rejection(body, { allowedSourceBuckets: ['mine', 'someone-elses'] }).ok).toBe(true);
  });

  it('makes an odd message id safe as a task id', () => {
    const r = parseTaskMessage('nope', { messageId: 'a/b:c', newId: () => 'x' });
    expect(r.ok ? undefined : r.taskId).toBe('a_b_c');
  });

  it('tells a missing field from one of the wrong type', () => {
    expect([rejection({}), rejection({ prompt: 42 }), rejection({ prompt: 'p', source: { s3: { key: 'k' } } })].map((r) => !r.ok && r.error.message)).toEqual([
      'prompt: required',
      'prompt: Invalid input: expected string, received number',
      'source.s3.bucket: required',
    ]);
  });

  it('bounds a free-form reply in size and depth, and checks reply.github', () => {
    const deep = `{"prompt": "p", "reply": ${'['.repeat(17)}${']'.repeat(17)}}`;
    expect([
      rejection(deep),
      rejection({ prompt: 'p', reply: 'x'.repeat(20_000) }),
      rejection({ prompt: 'p', reply: { github: { owner: 'o', repo: 'r', issue: 0 } } }),
      rejection({ prompt: 'p', reply: { github: { owner: 'o', repo: 'r', issue: 3, extra: 1 } } }),
    ].map((r) => !r.ok && r.error.message)).toEqual([
      'reply: nested deeper than 16 levels',
      'reply: larger than 16384 bytes',
      'reply.github.issue: Too small: expected number to be >0',
      'reply.github.extra: unknown field',
    ]);
    expect(rejection({ prompt: 'p', reply: { slack: { channel: 'C1' }, github: { owner: 'o', repo: 'r', issue: 3 } } }).ok).toBe(true);
  });

  it('never calls newId for a rejected message', () => {
    let calls = 0;
    parseTaskMessage('{"prompt": 1}', { messageId: 'm', newId: () => `${++calls}` });
    expect(calls).toBe(0);
  });
});
