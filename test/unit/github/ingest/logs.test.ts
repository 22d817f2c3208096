import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jobLogReader, logTail } from '../../../../src/github/ingest/logs.ts';
import { FakeGitHub } from '../../../support/fake-github.ts';

const O = 'octo';
const R = 'demo';
const TOKEN = 'ghs_ingest';

describe('logTail', () => {
  it('drops timestamps and colour codes and ends a few lines after the last error', () => {
    const log = [
      '2024-05-01T10:00:00.0000000Z ##[group]Run npm test',
      '2024-05-01T10:00:01.1234567Z \u001b[31mFAIL\u001b[0m test/sum.test.js',
      '2024-05-01T10:00:01.2000000Z   expected 3, received 4',
      '2024-05-01T10:00:02.0000000Z ##[error]Process completed with exit code 1.',
      ...Array.from({ length: 8 }, (_, i) => `2024-05-01T10:00:03.0000000Z Post job cleanup ${i}`),
      '',
    ].join('\n');
    expect(logTail(log, 10_000)).toBe(
      [
        '##[group]Run npm test',
        'FAIL test/sum.test.js',
        '  expected 3, received 4',
        '##[error]Process completed with exit code 1.',
        'Post job cleanup 0',
        'Post job cleanup 1',
        'Post job cleanup 2',
        'Post job cleanup 3',
        'Post job cleanup 4',
        '[... 3 later lines (after the last error) left out]',
      ].join('\n'),
    );
  });

  it('keeps whole lines from the end within the budget, saying how many were left out, and cuts a line longer than the budget', () => {
    const log = Array.from({ length: 100 }, (_, i) => `line ${String(i).padStart(2, '0')}`).join('\n');
    expect(logTail(log, 24)).toBe('[... 97 earlier lines left out]\nline 97\nline 98\nline 99');
    expect(logTail('x'.repeat(100), 30)).toBe(`${'x'.repeat(18)} [line cut]`);
  });
});

describe('jobLogReader', () => {
  let github: FakeGitHub;
  beforeEach(async () => {
    github = await FakeGitHub.start({ tokens: [TOKEN], prefix: '/api/v3' });
    github.addRepo(O, R);
  });
  afterEach(async () => {
    await github.stop();
  });

  it('follows the API redirect to the log storage without the token', async () => {
    const { jobIds } = github.checks.addWorkflowRun(`${O}/${R}`, { name: 'CI', headSha: 'abc', jobs: [{ name: 'test', conclusion: 'failure', log: 'line 1\nline 2\n' }] });
    const read = jobLogReader({ apiUrl: github.url, token: async () => TOKEN });
    expect(await read({ owner: O, repo: R }, jobIds[0], {})).toEqual({ log: 'line 1\nline 2\n' });
    expect(github.calls.map((c) => [c.method, c.path, c.authorization])).toEqual([['GET', `/repos/${O}/${R}/actions/jobs/${jobIds[0]}/logs`, `Bearer ${TOKEN}`]]);
    expect(github.checks.downloads).toEqual([{ path: `/logs/${jobIds[0]}`, authorization: undefined }]);
  });

  it('holds only the end of a long log, from a line boundary, and stops reading at the cap', async () => {
    const lines = Array.from({ length: 50_000 }, (_, i) => `log line ${i}`);
    const { jobIds } = github.checks.addWorkflowRun(`${O}/${R}`, { name: 'CI', headSha: 'abc', jobs: [{ name: 'test', conclusion: 'failure', log: lines.join('\n') }] });
    const tail = await jobLogReader({ apiUrl: github.url, token: async () => TOKEN, keepBytes: 4096 })({ owner: O, repo: R }, jobIds[0], {});
    const kept = (tail as { log: string }).log.split('\n');
    expect([kept.at(-1), kept.length < 400, lines.includes(kept[0])]).toEqual(['log line 49999', true, true]);
    const capped = await jobLogReader({ apiUrl: github.url, token: async () => TOKEN, keepBytes: 4096, maxBytes: 100_000 })({ owner: O, repo: R }, jobIds[0], {});
    expect((capped as { log: string }).log.includes('log line 49999')).toBe(false);
  });

  it('says so when the log is gone', async () => {
    const { jobIds } = github.checks.addWorkflowRun(`${O}/${R}`, { name: 'CI', headSha: 'abc', jobs: [{ name: 'test', conclusion: 'failure' }] });
    expect(await jobLogReader({ apiUrl: github.url, token: async () => TOKEN })({ owner: O, repo: R }, jobIds[0], {})).toEqual({ missing: 'the log is gone (expired or deleted)' });
  });
});
