import type { TaskResult } from '../../task/events.ts';
import { cacheReadShare } from '../../budget/index.ts';
import { createRedactor, type Redactor } from '../../security/index.ts';
import { taskMarker } from '../types.ts';

/** One changed file, for the summary. */
export interface ChangedFile {
  path: string;
  change: 'added' | 'modified' | 'deleted' | 'renamed' | 'copied';
  from?: string;
}

interface Common {
  taskId: string;
  result: TaskResult;
  /** The model's closing message, if any. */
  summary: string;
  /** Where the transcript is (`s3://bucket/tasks/<id>/transcript.json`). */
  transcriptUri: string;
  /** The task's watch page (a capability link), when the stack has one. */
  viewUrl?: string;
}

/** Why a change was not published: CI configuration the stack does not publish, or a file past the runner's size limit. */
export type HeldBackReason = 'ci_config' | 'too_large';

/** A change of the task that was not published. */
export type HeldBackFile = ChangedFile & { why: HeldBackReason };

/** Changes of the task that were not published, and where the whole diff is. */
export interface HeldBack {
  files: HeldBackFile[];
  diffUri: string;
}

const HELD_BACK_WHY: Record<HeldBackReason, string> = { ci_config: 'CI configuration', too_large: 'too large for the diff' };

/** `path` (why), for a sentence. */
export function heldBackList(files: HeldBackFile[]): string {
  return files.map((f) => `\`${f.path}\` (${HELD_BACK_WHY[f.why]})`).join(', ');
}

/** Everything the publisher writes to GitHub, as facts; `renderMessage` turns them into text. */
export type PublishMessage =
  /** `incomplete`: the task stopped (failed, limit reached) before it finished; this is what it had done. */
  | (Common & { kind: 'pull_request'; issue: number; issueIsPullRequest: boolean; issueTitle: string; files: ChangedFile[]; incomplete?: boolean; heldBack?: HeldBack })
  | (Common & { kind: 'commit'; issue: number; files: ChangedFile[]; incomplete?: boolean })
  | (Common & { kind: 'follow_up'; branch: string; commit: string; files: ChangedFile[]; heldBack?: HeldBack })
  | (Common & { kind: 'no_change' })
  /** `diffUri` when the task left a (partial) change behind. */
  | (Common & { kind: 'failed'; diffUri?: string })
  | (Common & { kind: 'not_applied'; reason: string; diffUri: string });

export interface RenderedMessage {
  /** Pull request title or commit subject. */
  title: string;
  body: string;
}

const MAX_SUMMARY = 6_000;
const MAX_FILES = 50;

function clip(text: string, max: number): string {
  const t = text.trim();
  return t.length <= max ? t : `${t.slice(0, max)}\n\n[... ${t.length - max} characters cut]`;
}

function filesList(files: ChangedFile[]): string {
  const shown = files.slice(0, MAX_FILES).map((f) => `- \`${f.path}\` (${f.change}${f.from ? ` from \`${f.from}\`` : ''})`);
  if (files.length > MAX_FILES) shown.push(`- ... and ${files.length - MAX_FILES} more`);
  return shown.join('\n');
}

function heldBackBlock(h: HeldBack | undefined): string {
  if (!h) return '';
  const lines = h.files.slice(0, MAX_FILES).map((f) => `- \`${f.path}\` (${f.change}; ${HELD_BACK_WHY[f.why]})`);
  if (h.files.length > MAX_FILES) lines.push(`- ... and ${h.files.length - MAX_FILES} more`);
  return (
    '\n\n### Held back\n\nThese changes were not published. CI configuration is published only where the stack allows it (its `PublishCiConfig` setting); ' +
    `files past the runner's size limit are in the diff without their data. The whole diff is at \`${h.diffUri}\`.\n\n${lines.join('\n')}`
  );
}

function stats(r: TaskResult): string {
  const u = r.usage;
  return [
    '| | |',
    '|---|---|',
    `| status | ${r.status}${r.stopReason ? ` (${r.stopReason})` : ''} |`,
    `| turns | ${r.turns} |`,
    `| cost | $${r.costUsd.toFixed(4)} |`,
    `| model | \`${r.model}\`${r.baseModel ? ` (priced as \`${r.baseModel}\`)` : ''} |`,
    `| tokens | ${u.inputTokens} in, ${u.outputTokens} out, ${u.cacheReadInputTokens} cache read, ${u.cacheWriteInputTokens} cache write |`,
    `| cache-read share | ${Math.round(cacheReadShare(u) * 100)}% of input tokens |`,
    `| diff | ${r.diff.files} files, +${r.diff.additions} −${r.diff.deletions} |`,
  ].join('\n');
}

function footer(m: Common): string {
  const watch = m.viewUrl ? `\n\nWatch the run: [the task's page](${m.viewUrl})` : '';
  return `${stats(m.result)}\n\nTranscript: \`${m.transcriptUri}\`${watch}\n\n${taskMarker(m.taskId)}`;
}

function summaryBlock(m: Common): string {
  return m.summary.trim() ? `\n\n### Summary\n\n${clip(m.summary, MAX_SUMMARY)}` : '';
}

const builtIn = createRedactor();

/**
 * The one place where text for GitHub (pull request, commit message, comments) is built from a
 * task's outcome. Title and body are redacted (the built-in secret patterns, or `redactor` with
 * the configured ones), since the summary and error messages may quote what a tool printed.
 */
export function renderMessage(m: PublishMessage, redactor: Redactor = builtIn): RenderedMessage {
  const { title, body } = renderPlain(m);
  return { title: redactor.text(title), body: redactor.text(body) };
}

/** The title prefix of a pull request holding a stopped task's partial change. */
export const INCOMPLETE_PREFIX = '[incomplete] ';

/** Why the task stopped, in words: its status, stop reason and error. */
function stopSentence(r: TaskResult): string {
  const what = r.status === 'limit_reached' ? 'stopped at a limit' : r.stopReason === 'cancelled' ? 'was cancelled' : 'failed';
  const error = r.error ? ` (\`${r.error.code}\`: ${r.error.message})` : ` (\`${r.stopReason}\`)`;
  return `${what}${error}`;
}

function incompletePull(m: Extract<PublishMessage, { kind: 'pull_request' }>, short: string): RenderedMessage {
  const last = m.summary.trim() ? `\n\n### The model's last message\n\n${clip(m.summary, MAX_SUMMARY)}` : '';
  return {
    title: clip(`${INCOMPLETE_PREFIX}agent: ${m.issueTitle || `changes for #${m.issue}`}`, 200).replace(/\s+/g, ' '),
    body:
      `Refs #${m.issue}\n\n**Incomplete.** ${short} ${stopSentence(m.result)} before it finished. This draft holds the change it had made by then: ` +
      `review it as a starting point, finish it (an \`/agent\` comment here goes on from it) or close it.${last}\n\n### Files\n\n${filesList(m.files)}\n\n${footer(m)}`,
  };
}

function renderPlain(m: PublishMessage): RenderedMessage {
  const short = `agent-runner task \`${m.taskId}\``;
  switch (m.kind) {
    case 'pull_request': {
      if (m.incomplete) return incompletePull(m, short);
      const link = m.issueIsPullRequest ? `Refs #${m.issue}` : `Closes #${m.issue}`;
      return {
        title: clip(`agent: ${m.issueTitle || `changes for #${m.issue}`}`, 200).replace(/\s+/g, ' '),
        body: `${link}\n\nDraft change by ${short} for #${m.issue}. Review it before marking it ready.${summaryBlock(m)}\n\n### Files\n\n${filesList(m.files)}${heldBackBlock(m.heldBack)}\n\n${footer(m)}`,
      };
    }
    case 'commit':
      return {
        title: `agent: ${m.incomplete ? 'incomplete ' : ''}changes for #${m.issue}`,
        body: `agent: ${m.incomplete ? 'incomplete ' : ''}changes for #${m.issue}\n\n${clip(m.summary, 2_000)}\n\nAgent-Runner-Task: ${m.taskId}`.replace(/\n\n\n+/g, '\n\n'),
      };
    case 'follow_up':
      return {
        title: `Pushed ${m.commit.slice(0, 7)} to \`${m.branch}\``,
        body: `Pushed ${m.commit} to \`${m.branch}\` for ${short}.${summaryBlock(m)}\n\n### Files\n\n${filesList(m.files)}${heldBackBlock(m.heldBack)}\n\n${footer(m)}`,
      };
    case 'no_change':
      return {
        title: 'No changes',
        body: `${short} finished without changing any file, so there is nothing to open a pull request for.${summaryBlock(m)}\n\n${footer(m)}`,
      };
    case 'failed': {
      const error = m.result.error ? `: \`${m.result.error.code}\`: ${m.result.error.message}` : '';
      const what = m.result.status === 'limit_reached' ? 'stopped at a limit' : m.result.status === 'rejected' ? 'was rejected' : 'failed';
      const partial = m.diffUri ? ` Its partial change is at \`${m.diffUri}\`.` : '';
      return {
        title: `Task ${what}`,
        body: `${short} ${what}${error}. Nothing was published.${partial}${summaryBlock(m)}\n\n${footer(m)}`,
      };
    }
    case 'not_applied':
      return {
        title: 'Change not applied',
        body: `${short} produced a change, but it could not be published: ${m.reason}. The diff is at \`${m.diffUri}\`.${summaryBlock(m)}\n\n${footer(m)}`,
      };
  }
}
