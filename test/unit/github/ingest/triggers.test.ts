import { describe, expect, it } from 'vitest';
import { classifyDelivery, isCommand } from '../../../../src/github/ingest/triggers.ts';
import { checkRunFailed, example, issueComment, issuesLabeled, ping } from '../payloads.ts';

const options = { label: 'agent', checkRuns: false };
const repo = { owner: 'Codertocat', repo: 'Hello-World', defaultBranch: 'master' };

describe('classifyDelivery', () => {
  it('triggers on issues/labeled with the configured label', () => {
    const payload = issuesLabeled();
    payload.label.name = 'agent';
    expect(classifyDelivery('issues', payload, options)).toEqual({
      trigger: {
        kind: 'issue_labeled',
        repo,
        issue: { number: 1, title: payload.issue.title, body: payload.issue.body, comments: 0, isPullRequest: false },
        label: 'agent',
        actor: 'Codertocat',
      },
    });
  });

  it('ignores another label, and other issue actions', () => {
    expect(classifyDelivery('issues', issuesLabeled(), options)).toEqual({ ignored: 'label "bug" is not "agent"' });
    expect(classifyDelivery('issues', issuesLabeled(), { ...options, label: 'bug' })).toHaveProperty('trigger.kind', 'issue_labeled');
    expect(classifyDelivery('issues', example('issues', (p) => p.action === 'opened'), options)).toEqual({ ignored: 'issues/opened' });
  });

  it('triggers on an /agent comment, with the installation id when the delivery has one', () => {
    const payload = example('issue_comment', (p) => p.action === 'created' && p.installation);
    payload.comment.body = '/agent fix the spelling';
    expect(classifyDelivery('issue_comment', payload, options)).toEqual({
      trigger: {
        kind: 'comment',
        repo,
        issue: { number: 1, title: payload.issue.title, body: payload.issue.body, comments: payload.issue.comments, isPullRequest: false },
        comment: { id: payload.comment.id, body: '/agent fix the spelling', author: 'Codertocat' },
        installationId: payload.installation.id,
      },
    });
  });

  it('marks a comment on a pull request', () => {
    const payload = issueComment();
    payload.comment.body = '/agent rebase';
    payload.issue.pull_request = { url: 'https://api.github.com/repos/Codertocat/Hello-World/pulls/1' };
    expect(classifyDelivery('issue_comment', payload, options)).toHaveProperty('trigger.issue.isPullRequest', true);
  });

  it('ignores ordinary comments, edits, bots and ping', () => {
    const bot = issueComment();
    bot.comment.body = '/agent do it';
    bot.comment.user.type = 'Bot';
    const edited = example('issue_comment', (p) => p.action === 'edited');
    edited.comment.body = '/agent do it';
    expect([
      classifyDelivery('issue_comment', issueComment(), options),
      classifyDelivery('issue_comment', edited, options),
      classifyDelivery('issue_comment', bot, options),
      classifyDelivery('ping', ping(), options),
      classifyDelivery('star', { action: 'created', repository: issueComment().repository }, options),
      classifyDelivery('issues', [], options),
    ]).toEqual([
      { ignored: 'comment is not an /agent command' },
      { ignored: 'issue_comment/edited' },
      { ignored: 'comment from a bot' },
      { ignored: 'ping' },
      { ignored: 'event star' },
      { ignored: 'payload is not an object' },
    ]);
  });

  it('classifies a failed check run on a pull request only when CI fixing is on', () => {
    const payload = checkRunFailed();
    expect(classifyDelivery('check_run', payload, options)).toEqual({ ignored: 'CI failure triggers are off' });
    expect(classifyDelivery('check_run', payload, { ...options, checkRuns: true })).toEqual({
      trigger: {
        kind: 'check_failed',
        repo,
        pull: { number: 2, headRef: 'changes' },
        check: {
          event: 'check_run',
          id: payload.check_run.id,
          name: 'Octocoders-linter',
          headSha: payload.check_run.head_sha,
          conclusion: 'failure',
          url: payload.check_run.html_url,
          app: 'github-actions',
          output: { title: '', summary: '', text: '' },
        },
      },
    });
  });

  it('ignores successful and cancelled checks, and checks on no pull request', () => {
    const on = { ...options, checkRuns: true };
    const success = example('check_run', (p) => p.action === 'completed' && p.check_run.conclusion === 'success');
    const cancelled = checkRunFailed();
    cancelled.check_run.conclusion = 'cancelled';
    const noPull = checkRunFailed();
    noPull.check_run.pull_requests = [];
    const created = example('check_run', (p) => p.action === 'created');
    expect([success, cancelled, noPull, created].map((p) => classifyDelivery('check_run', p, on))).toEqual([
      { ignored: 'check_run/completed (success)' },
      { ignored: 'check_run/completed (cancelled)' },
      { ignored: 'failed check_run not on a pull request of this repository' },
      { ignored: 'check_run/created' },
    ]);
  });
});

describe('isCommand', () => {
  it('recognises /agent as a word at the start', () => {
    expect(['/agent', '/agent fix it', '  /agent\nplease', '/agentic', 'please /agent', '/Agent x'].map(isCommand)).toEqual([true, true, true, false, false, false]);
  });
});
