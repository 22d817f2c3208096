import { elapsedMs, formatCost, formatDuration, formatTokens, type Header } from '../model.ts';
import type { FeedStatus } from '../feed.ts';
import { h } from './h.ts';
import { setIfChanged } from './conversation.ts';

export interface HeaderView {
  root: HTMLElement;
  update(header: Header, nowMs: number): void;
  connection(status: FeedStatus): void;
}

const PHASE_TEXT: Record<Header['phase'], string> = {
  waiting: 'waiting',
  running: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
  limit_reached: 'limit reached',
  rejected: 'rejected',
};

/** The header: status, model, turn, tokens, cost, elapsed time, and the connection state. */
export function createHeader(root: HTMLElement): HeaderView {
  const field = (label: string, cls: string) => {
    const value = h('dd', { class: cls });
    root.append(h('div', { class: 'stat' }, h('dt', {}, label), value));
    return value;
  };
  root.replaceChildren();
  const status = field('Status', 'status');
  const model = field('Model', 'model');
  const turn = field('Turn', 'turn');
  const tokens = field('Tokens', 'tokens');
  const cost = field('Cost', 'cost');
  const elapsed = field('Elapsed', 'elapsed');
  const conn = h('div', { class: 'connection', role: 'status' });
  root.append(conn);
  return {
    root,
    update(header, nowMs) {
      setIfChanged(status, PHASE_TEXT[header.phase] ?? header.phase);
      status.className = `status ${header.phase}`;
      setIfChanged(model, header.model ?? '–');
      setIfChanged(turn, header.turn > 0 ? `${header.turn}${header.maxTurns ? ` / ${header.maxTurns}` : ''}` : '–');
      setIfChanged(tokens, `${formatTokens(header.inputTokens)} in · ${formatTokens(header.outputTokens)} out`);
      setIfChanged(cost, `${formatCost(header.costUsd)}${header.maxCostUsd ? ` / ${formatCost(header.maxCostUsd)}` : ''}`);
      const e = elapsedMs(header, nowMs);
      setIfChanged(elapsed, e === undefined ? '–' : formatDuration(e));
    },
    connection(s) {
      const text: Record<FeedStatus['state'], string> = {
        connecting: 'connecting…',
        live: 'live',
        waiting: `waiting: ${'detail' in s ? s.detail : ''}`,
        reconnecting: `reconnecting: ${'detail' in s ? s.detail : ''}`,
        forbidden: 'this link is not valid or has expired',
        ended: 'finished',
      };
      setIfChanged(conn, text[s.state]);
      conn.className = `connection ${s.state}`;
    },
  };
}
