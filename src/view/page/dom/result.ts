import type { TaskResult } from '../../../task/events.ts';
import { parseDiff, type DiffFile } from '../diff.ts';
import { formatCost } from '../model.ts';
import { renderDiff, type DiffLayout } from './diff-dom.ts';
import { append, h, link } from './h.ts';

/** The artifacts offered for download, in this order. */
export const ARTIFACTS = ['diff.patch', 'transcript.json', 'result.json', 'task.json'] as const;

export interface ResultDeps {
  /** A same-origin URL of the page's API carrying the token: `diff`, `artifacts/<name>`. */
  url: (path: string) => string;
  fetch: typeof fetch;
}

/**
 * Fills the result section: the outcome, download links (short-lived S3 links minted on click)
 * and the diff, which it fetches, with a unified / side-by-side switch.
 */
export async function renderResult(root: HTMLElement, result: TaskResult, deps: ResultDeps): Promise<void> {
  const d = result.diff;
  root.hidden = false;
  root.replaceChildren();
  append(
    root,
    h('h2', {}, 'Result'),
    h(
      'p',
      { class: 'outcome' },
      h('span', { class: `badge ${result.status}` }, result.status.replace('_', ' ')),
      ` ${result.stopReason ? `(${result.stopReason}) ` : ''}after ${result.turns} turn${result.turns === 1 ? '' : 's'}, ${formatCost(result.costUsd)}; ${d.files} file${d.files === 1 ? '' : 's'} changed, `,
      h('span', { class: 'add' }, `+${d.additions}`),
      ' ',
      h('span', { class: 'del' }, `−${d.deletions}`),
    ),
    result.error ? h('p', { class: 'notice error', role: 'alert' }, `${result.error.code}: ${result.error.message}`) : false,
    h('p', { class: 'artifacts' }, 'Download: ', ...ARTIFACTS.flatMap((name, k) => [k > 0 ? ' · ' : '', link(deps.url(`artifacts/${name}`), name)])),
  );
  if (d.files === 0) return;
  const diffBox = h('div', { class: 'diff-box' }, h('p', { class: 'muted' }, 'loading the diff…'));
  root.append(diffBox);
  let files: DiffFile[];
  try {
    const res = await deps.fetch(deps.url('diff'), { cache: 'no-store' });
    if (!res.ok) throw new Error(`the server answered ${res.status}`);
    files = parseDiff(await res.text());
  } catch (err) {
    diffBox.replaceChildren(h('p', { class: 'notice warn' }, `cannot load the diff: ${(err as Error).message}`));
    return;
  }
  let layout: DiffLayout = 'split';
  const view = h('div');
  const button = (which: DiffLayout, label: string) => {
    const b = h('button', { class: 'layout' }, label);
    b.type = 'button';
    b.addEventListener('click', () => show(which));
    return b;
  };
  const buttons = { split: button('split', 'Side by side'), unified: button('unified', 'Unified') };
  const show = (which: DiffLayout) => {
    layout = which;
    buttons.split.setAttribute('aria-pressed', String(layout === 'split'));
    buttons.unified.setAttribute('aria-pressed', String(layout === 'unified'));
    view.replaceChildren(renderDiff(files, layout));
  };
  diffBox.replaceChildren(h('div', { class: 'diff-toolbar' }, h('h3', {}, 'Diff'), buttons.split, buttons.unified), view);
  show(layout);
}
