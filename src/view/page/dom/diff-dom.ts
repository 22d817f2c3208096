import { splitRows, type DiffFile, type DiffLine } from '../diff.ts';
import { highlightLine, languageOf, type HighlightState } from '../highlight.ts';
import { append, h } from './h.ts';

export type DiffLayout = 'unified' | 'split';

/** Lines shown per file before the rest is left to the download. */
const MAX_LINES_PER_FILE = 2000;

/** The diff as one table per file, unified or side by side, with syntax colouring. */
export function renderDiff(files: DiffFile[], layout: DiffLayout): HTMLElement {
  const root = h('div', { class: `diff ${layout}` });
  for (const f of files) root.appendChild(renderFile(f, layout));
  return root;
}

function renderFile(f: DiffFile, layout: DiffLayout): HTMLElement {
  const title = f.change === 'renamed' || f.change === 'copied' ? `${f.oldPath} → ${f.newPath}` : f.path;
  const box = h(
    'details',
    { class: 'diff-file', open: true },
    h(
      'summary',
      {},
      h('span', { class: `change ${f.change}` }, f.change),
      ' ',
      h('code', { class: 'path' }, title),
      ' ',
      h('span', { class: 'add' }, `+${f.additions}`),
      ' ',
      h('span', { class: 'del' }, `−${f.deletions}`),
    ),
  );
  for (const n of f.notes) box.appendChild(h('div', { class: 'muted note' }, n));
  if (f.binary) {
    box.appendChild(h('div', { class: 'muted note' }, 'binary file (download the diff to see it)'));
    return box;
  }
  const lang = languageOf(f.path);
  const table = h('table', { class: 'code-table' });
  // Column widths: line numbers narrow, code the rest (the first row spans them all).
  const cols = layout === 'split' ? ['num', 'code', 'num', 'code'] : ['num', 'num', 'code'];
  table.appendChild(h('colgroup', {}, ...cols.map((c) => h('col', { class: `col-${c}` }))));
  const body = h('tbody');
  table.appendChild(body);
  // Colouring state per side, so a block comment opened in old lines does not leak into new ones.
  const oldState: HighlightState = { inBlock: false };
  const newState: HighlightState = { inBlock: false };
  let shown = 0;
  for (const hunk of f.hunks) {
    body.appendChild(h('tr', { class: 'hunk' }, h('td', { class: 'hunk-header', colspan: layout === 'split' ? '4' : '3' }, hunk.header)));
    if (layout === 'split') {
      for (const row of splitRows(hunk)) {
        if (shown++ >= MAX_LINES_PER_FILE) break;
        body.appendChild(h('tr', {}, ...side(row.left, row.left?.oldNo, lang, oldState), ...side(row.right, row.right?.newNo, lang, newState)));
      }
    } else {
      for (const line of hunk.lines) {
        if (shown++ >= MAX_LINES_PER_FILE) break;
        const state = line.op === '+' ? newState : oldState;
        body.appendChild(h('tr', { class: rowClass(line) }, num(line.oldNo), num(line.newNo), code(line, lang, state, true)));
      }
    }
  }
  if (shown > MAX_LINES_PER_FILE) box.appendChild(h('div', { class: 'muted note' }, `only the first ${MAX_LINES_PER_FILE} lines are shown; download the diff for the rest`));
  box.appendChild(h('div', { class: 'table-wrap' }, table));
  return box;
}

function rowClass(line: DiffLine): string {
  return line.op === '+' ? 'line add' : line.op === '-' ? 'line del' : 'line ctx';
}

function num(n: number | undefined): HTMLElement {
  return h('td', { class: 'num' }, n === undefined ? '' : String(n));
}

function side(line: DiffLine | undefined, n: number | undefined, lang: string | undefined, state: HighlightState): HTMLElement[] {
  if (!line) return [h('td', { class: 'num empty' }), h('td', { class: 'code empty' })];
  const cell = code(line, lang, state, false);
  cell.className += line.op === '+' ? ' add' : line.op === '-' ? ' del' : '';
  return [h('td', { class: `num${line.op === '+' ? ' add' : line.op === '-' ? ' del' : ''}` }, String(n ?? '')), cell];
}

function code(line: DiffLine, lang: string | undefined, state: HighlightState, marker: boolean): HTMLElement {
  const td = h('td', { class: 'code' });
  if (marker) td.appendChild(h('span', { class: 'marker' }, line.op));
  for (const t of highlightLine(line.text, lang, state)) append(td, t.kind === 'plain' ? t.text : h('span', { class: `tok-${t.kind}` }, t.text));
  if (line.noEol) td.appendChild(h('span', { class: 'muted noeol', title: 'no newline at end of file' }, ' ⏎̸'));
  return td;
}
