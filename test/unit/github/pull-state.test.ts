import { describe, expect, it } from 'vitest';
import {
  EMPTY_PULL_STATE,
  leaseOf,
  noteTask,
  parsePullState,
  releaseTask,
  startAutomatic,
  startRequested,
  undoStart,
  type PullLease,
  type PullState,
} from '../../../src/github/pull-state.ts';

const NOW = 1_700_000_000_000;
const lease = (taskId: string, over: Partial<PullLease> = {}): PullLease => ({ taskId, branch: 'agent/t0', push: true, kind: 'automatic', until: NOW + 60_000, ...over });
const opts = { now: NOW, maxAttempts: 2 };

function started(state: PullState, sha: string, taskId: string): PullState {
  const d = startAutomatic(state, sha, lease(taskId), opts);
  if (d.kind !== 'start') throw new Error(`not started: ${JSON.stringify(d)}`);
  return d.next;
}

describe('startAutomatic', () => {
  it('counts the attempt, remembers the commit and takes the lease', () => {
    expect(startAutomatic(EMPTY_PULL_STATE, 'sha1', lease('t1'), opts)).toEqual({ kind: 'start', next: { attempts: 1, shas: ['sha1'], leases: [lease('t1')], limitNoticed: false } });
  });

  it('refuses while a task holds the pull request, and after its lease has run out starts again', () => {
    const running = started(EMPTY_PULL_STATE, 'sha1', 't1');
    expect(startAutomatic(running, 'sha2', lease('t2'), opts)).toEqual({ kind: 'skip', reason: 'task t1 is still working on this pull request' });
    const later = startAutomatic(running, 'sha2', lease('t2', { until: NOW + 120_000 }), { ...opts, now: NOW + 60_000 });
    expect(later).toEqual({ kind: 'start', next: { attempts: 2, shas: ['sha1', 'sha2'], leases: [lease('t2', { until: NOW + 120_000 })], limitNoticed: false } });
  });

  it('never starts twice for the same commit', () => {
    const done = releaseTask(started(EMPTY_PULL_STATE, 'sha1', 't1'), 't1')!;
    expect(startAutomatic(done, 'sha1', lease('t2'), opts)).toEqual({ kind: 'skip', reason: 'a fix was started for sha1 before' });
  });

  it('asks for the limit notice once when the attempts are used up, then stays silent', () => {
    const two = releaseTask(started(releaseTask(started(EMPTY_PULL_STATE, 'sha1', 't1'), 't1')!, 'sha2', 't2'), 't2')!;
    const third = startAutomatic(two, 'sha3', lease('t3'), opts);
    expect(third).toEqual({ kind: 'limit', next: { ...two, limitNoticed: true } });
    expect(startAutomatic((third as { next: PullState }).next, 'sha4', lease('t4'), opts)).toEqual({ kind: 'skip', reason: 'the limit of 2 automatic attempts was reached' });
  });
});

describe('the other transitions', () => {
  it('starts a requested fix beside the count, but not while a task runs', () => {
    const counted = releaseTask(started(EMPTY_PULL_STATE, 'sha1', 't1'), 't1')!;
    const requested = lease('t2', { kind: 'requested' });
    expect(startRequested(counted, 'sha1', requested, NOW)).toEqual({ kind: 'start', next: { attempts: 1, shas: ['sha1'], leases: [requested], limitNoticed: false } });
    expect(startRequested(noteTask(counted, lease('c1', { kind: 'other', push: false }), NOW), 'sha1', requested, NOW)).toEqual({ kind: 'skip', reason: 'task c1 is still working on this pull request' });
  });

  it('notes a comment task, dropping leases that ran out, and releases only the task asked for', () => {
    const stale = noteTask(EMPTY_PULL_STATE, lease('old', { until: NOW - 1 }), NOW - 10);
    const noted = noteTask(stale, lease('c1', { kind: 'other', push: false }), NOW);
    expect(noted.leases.map((l) => l.taskId)).toEqual(['c1']);
    expect([releaseTask(noted, 'other'), releaseTask(noted, 'c1')?.leases, leaseOf(noted, 'c1')?.kind]).toEqual([undefined, [], 'other']);
  });

  it('takes back a start whose task could not be queued', () => {
    const s = started(EMPTY_PULL_STATE, 'sha1', 't1');
    expect(undoStart(s, 't1', 'sha1', true)).toEqual(EMPTY_PULL_STATE);
    expect(undoStart(s, 't1', 'sha1', false)).toEqual({ ...EMPTY_PULL_STATE, attempts: 1 });
    expect(undoStart(s, 't1', undefined, false)).toEqual({ ...EMPTY_PULL_STATE, attempts: 1, shas: ['sha1'] });
  });

  it('reads a stored record back, keeping what is well-formed', () => {
    const s = started(EMPTY_PULL_STATE, 'sha1', 't1');
    expect(parsePullState(JSON.stringify(s))).toEqual(s);
    expect(parsePullState('{"attempts":-1,"shas":["a",2],"leases":[{"taskId":"x"}],"limitNoticed":"yes"}')).toEqual({ attempts: 0, shas: ['a'], leases: [], limitNoticed: false });
    expect(parsePullState('not json')).toEqual(EMPTY_PULL_STATE);
  });
});
