import { parseMarkdown } from '../markdown.ts';
import { formatDuration, SETUP_TOOL, toolLabel, type Item, type ToolItem } from '../model.ts';
import { h, setText } from './h.ts';
import { renderBlocks } from './markdown-dom.ts';

/** The element of one conversation item; tool calls are updated in place when their result comes. */
export function renderItem(item: Item): HTMLElement {
  switch (item.kind) {
    case 'prompt':
      return h('details', { class: 'item prompt' }, h('summary', {}, 'Prompt'), h('pre', { class: 'text' }, item.text));
    case 'turn':
      return h('div', { class: 'item turn', 'data-kind': 'turn' }, `Turn ${item.turn}`);
    case 'text':
      return h('div', { class: 'item assistant', 'data-kind': 'assistant' }, renderBlocks(parseMarkdown(item.text)));
    case 'reasoning':
      return h(
        'details',
        { class: 'item reasoning', 'data-kind': 'reasoning' },
        h('summary', {}, item.redacted ? 'Reasoning (redacted by the provider)' : 'Reasoning'),
        !item.redacted && h('pre', { class: 'text' }, item.text),
      );
    case 'tool': {
      const el = h('details', { class: 'item tool', 'data-kind': 'tool' });
      updateTool(el, item);
      return el;
    }
    case 'notice':
      return h('div', { class: `item notice ${item.level}`, role: item.level === 'error' ? 'alert' : undefined }, item.text);
  }
}

/** Fills a tool call's element: a summary line (name, label, status, time), its input and output. */
export function updateTool(el: HTMLElement, item: ToolItem): void {
  const state = item.status ?? 'running';
  el.className = `item tool ${state}`;
  el.replaceChildren(
    h(
      'summary',
      {},
      h('span', { class: 'tool-name' }, item.name),
      ' ',
      h('code', { class: 'tool-label' }, toolLabel(item.name, item.input)),
      ' ',
      h('span', { class: `badge ${state}` }, state === 'running' ? 'running' : state === 'error' ? 'error' : 'ok'),
      item.durationMs !== undefined && h('span', { class: 'muted' }, ` ${formatDuration(item.durationMs)}`),
    ),
    item.input !== undefined && h('div', { class: 'tool-section' }, h('div', { class: 'label' }, 'Input'), h('pre', { class: 'text' }, inputText(item))),
    item.output !== undefined &&
      h(
        'div',
        { class: 'tool-section' },
        h('div', { class: 'label' }, item.truncated ? 'Output (cut to a few KB in the event)' : 'Output'),
        h('pre', { class: `text output${item.status === 'error' ? ' error' : ''}` }, item.output),
      ),
  );
}

function inputText(item: ToolItem): string {
  const input = item.input as Record<string, unknown> | undefined;
  if ((item.name === 'shell' || item.name === SETUP_TOOL) && typeof input?.command === 'string') return input.command;
  if (item.name === 'apply_patch' && typeof input?.patch === 'string') return input.patch;
  return JSON.stringify(item.input, null, 2) ?? '';
}

/** Replaces text only when it changed (the live line and timers tick every second). */
export function setIfChanged(el: Element, text: string): void {
  if (el.textContent !== text) setText(el, text);
}
