/**
 * The watch page's script: follows the task's events, renders the header, the conversation, the
 * live "running …" line and, at the end, the result and the diff. The token comes from the page's
 * own URL and goes only to this origin.
 */
import type { AgentEvent } from '../../../task/events.ts';
import { followFeed } from '../feed.ts';
import { applyEvent, emptyState, runningLine, type ToolItem } from '../model.ts';
import { renderItem, setIfChanged, updateTool } from './conversation.ts';
import { createHeader } from './header.ts';
import { renderResult } from './result.ts';

const byId = (id: string): HTMLElement => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el;
};

// The browser is this code's edge: its clock is the page's clock.
// eslint-disable-next-line no-restricted-properties
const now = () => Date.now();
const token = new URLSearchParams(location.search).get('token') ?? '';
/** A page-relative API URL (the page is at <base>/tasks/<id>/view) with the token. */
const api = (path: string, extra = '') => `${path}?token=${encodeURIComponent(token)}${extra}`;

const state = emptyState();
const header = createHeader(byId('stats'));
const conversation = byId('conversation');
const live = byId('running');
const resultBox = byId('result');
const toolElements = new Map<ToolItem, HTMLElement>();
const baseTitle = document.title;

function nearBottom(): boolean {
  return window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 120;
}

function onEvent(event: AgentEvent): void {
  const follow = nearBottom();
  for (const change of applyEvent(state, event)) {
    if (change.op === 'add') {
      const el = renderItem(change.item);
      if (change.item.kind === 'tool') toolElements.set(change.item, el);
      conversation.appendChild(el);
    } else if (change.op === 'update') {
      const el = toolElements.get(change.item);
      if (el) updateTool(el, change.item);
    } else if (change.op === 'result') {
      void renderResult(resultBox, change.result, { url: (p) => api(p), fetch: (input, init) => fetch(input, init) });
    }
  }
  tick();
  if (follow) window.scrollTo({ top: document.documentElement.scrollHeight });
}

function tick(): void {
  header.update(state.header, now());
  const line = runningLine(state, now());
  live.hidden = line === undefined;
  setIfChanged(live, line ?? '');
  const phase = state.header.phase;
  const title = `${phase === 'running' ? '● ' : phase === 'succeeded' ? '✓ ' : phase === 'waiting' ? '' : '✗ '}${baseTitle}`;
  if (document.title !== title) document.title = title;
}

tick();
const timer = setInterval(tick, 1000);
void followFeed({
  url: (after) => api('events', after > 0 ? `&after=${after}` : ''),
  fetch: (input, init) => fetch(input, init),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  onEvent,
  onStatus: (s) => header.connection(s),
}).then((outcome) => {
  tick();
  if (outcome !== 'aborted') clearInterval(timer);
});
