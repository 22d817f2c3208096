import { describe, expect, it } from 'vitest';
import { classifyDelivery } from '../../../../src/github/ingest/triggers.ts';
import { checkRunFailed, checkSuiteFailed, workflowRunFailed } from '../payloads.ts';

const on = { label: 'agent', checkRuns: true };

describe('failed CI as a trigger', () => {
  it('reads a failed check suite: the App that ran it, the head commit and the pull request (this example has no App slug)', () => {
    const payload = checkSuiteFailed();
    expect(classifyDelivery('check_suite', payload, on)).toEqual({
      trigger: {
        kind: 'check_failed',
        repo: { owner: 'Codertocat', repo: 'Hello-World', defaultBranch: 'master' },
        pull: { number: 2, headRef: 'changes' },
        check: { event: 'check_suite', id: 118578147, name: 'octocoders-linter', headSha: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821', conclusion: 'failure', url: '', app: '' },
      },
    });
  });

  it('reads a failed workflow run as an Actions failure named after its workflow', () => {
    const payload = workflowRunFailed();
    payload.workflow_run.name = '';
    expect(classifyDelivery('workflow_run', payload, on)).toEqual({
      trigger: {
        kind: 'check_failed',
        repo: { owner: 'octo-org', repo: 'octo-repo', defaultBranch: 'master' },
        pull: { number: 2, headRef: 'changes' },
        check: {
          event: 'workflow_run',
          id: 289782451,
          name: 'test',
          headSha: '3484a3fb816e0859fd6e1cea078d76385ff50625',
          conclusion: 'timed_out',
          url: 'https://github.com/octo-org/octo-repo/actions/runs/289782451',
          app: 'github-actions',
        },
      },
    });
  });

  it('counts failure, timed_out and startup_failure as failing, nothing else', () => {
    const verdicts = ['failure', 'timed_out', 'startup_failure', 'cancelled', 'neutral', 'skipped', 'action_required', 'stale', 'success'].map((conclusion) => {
      const payload = checkRunFailed();
      payload.check_run.conclusion = conclusion;
      return 'trigger' in classifyDelivery('check_run', payload, on);
    });
    expect(verdicts).toEqual([true, true, true, false, false, false, false, false, false]);
  });

  it('ignores requested suites, runs on no pull request, and everything when CI fixing is off', () => {
    const requested = checkSuiteFailed();
    requested.action = 'requested';
    const noPull = workflowRunFailed();
    noPull.workflow_run.pull_requests = [];
    expect([
      classifyDelivery('check_suite', requested, on),
      classifyDelivery('workflow_run', noPull, on),
      classifyDelivery('workflow_run', workflowRunFailed(), { ...on, checkRuns: false }),
      classifyDelivery('check_suite', checkSuiteFailed(), { ...on, checkRuns: false }),
    ]).toEqual([
      { ignored: 'check_suite/requested' },
      { ignored: 'failed workflow_run not on a pull request of this repository' },
      { ignored: 'CI failure triggers are off' },
      { ignored: 'CI failure triggers are off' },
    ]);
  });
});
