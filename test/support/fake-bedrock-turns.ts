/**
 * A turn of the fake Bedrock Runtime as wire items (filling in what real streams carry), and
 * the assistant message those items amount to.
 */
import { defaultUsage, splitString, type HttpErrorTurn, type Json, type RawTurn, type Turn, type TurnFn, type WireItem } from './fake-bedrock-parts.ts';

const isHelper = (p: Json): boolean => typeof p.$part === 'string';
const rawName = (p: Json): string | undefined => (isHelper(p) ? undefined : Object.keys(p)[0]);

/**
 * A resolved turn as wire items. Outside raw(), what real streams carry is filled in:
 * messageStart first, messageStop (tool_use after a toolUse, else end_turn) before metadata,
 * default usage; contentBlockStart only for toolUse blocks.
 */
export function expandTurn(turn: Exclude<Turn, TurnFn>, index = 0): WireItem[] {
  if ('$httpError' in turn) return [{ kind: 'httpError', ...(turn as HttpErrorTurn).$httpError }];
  const rawMode = '$raw' in turn;
  const parts = (rawMode ? (turn as RawTurn).$raw : turn) as Json[];
  if (!Array.isArray(parts)) throw new Error(`fake-bedrock: a turn is an array, raw(), httpError() or a function; got ${JSON.stringify(turn)}`);
  const items: WireItem[] = [];
  const ev = (eventType: string, payload: Json) => items.push({ kind: 'event', eventType, payload });
  const explicitStop = parts.some((p) => p && (p.$part === 'stop' || rawName(p) === 'messageStop'));
  const impliedTool = parts.some((p) => p && (p.$part === 'toolUse' || p.contentBlockStart?.start?.toolUse));
  let next = 0;
  let hasStop = false;
  let hasMeta = false;
  let hasTool = false;
  let fault = false;
  if (!rawMode && !(parts[0] && rawName(parts[0]) === 'messageStart')) ev('messageStart', { role: 'assistant' });
  const addStop = () => {
    if (!rawMode && !hasStop && !explicitStop) {
      ev('messageStop', { stopReason: impliedTool ? 'tool_use' : 'end_turn' });
      hasStop = true;
    }
  };
  for (const p of parts) {
    if (p == null) continue;
    if (p.$part === 'text') {
      const i = next++;
      for (const piece of splitString(p.text, p.chunks)) ev('contentBlockDelta', { contentBlockIndex: i, delta: { text: piece } });
      ev('contentBlockStop', { contentBlockIndex: i });
    } else if (p.$part === 'toolUse') {
      const i = next++;
      hasTool = true;
      ev('contentBlockStart', { contentBlockIndex: i, start: { toolUse: { toolUseId: p.toolUseId, name: p.name } } });
      const json = p.rawInput !== undefined ? String(p.rawInput) : JSON.stringify(p.input ?? {});
      const pieces = splitString(json, p.chunks);
      if (p.emptyFirst) pieces.unshift('');
      for (const piece of pieces) ev('contentBlockDelta', { contentBlockIndex: i, delta: { toolUse: { input: piece } } });
      ev('contentBlockStop', { contentBlockIndex: i });
    } else if (p.$part === 'reasoning') {
      const i = next++;
      for (const piece of splitString(p.text, p.chunks)) ev('contentBlockDelta', { contentBlockIndex: i, delta: { reasoningContent: { text: piece } } });
      if (p.signature !== undefined) ev('contentBlockDelta', { contentBlockIndex: i, delta: { reasoningContent: { signature: p.signature } } });
      ev('contentBlockStop', { contentBlockIndex: i });
    } else if (p.$part === 'redacted') {
      const i = next++;
      ev('contentBlockDelta', { contentBlockIndex: i, delta: { reasoningContent: { redactedContent: p.data } } });
      ev('contentBlockStop', { contentBlockIndex: i });
    } else if (p.$part === 'stop') {
      const payload: Json = { stopReason: p.reason };
      if (p.additionalModelResponseFields !== undefined) payload.additionalModelResponseFields = p.additionalModelResponseFields;
      ev('messageStop', payload);
      hasStop = true;
    } else if (p.$part === 'metadata') {
      addStop();
      ev('metadata', p.payload);
      hasMeta = true;
    } else if (p.$part === 'exception') {
      items.push({ kind: 'exception', exceptionType: p.type, payload: p.payload });
      fault = true;
      break;
    } else if (p.$part === 'cut' || p.$part === 'goaway') {
      items.push({ kind: p.$part });
      fault = true;
      break;
    } else if (p.$part === 'stall') {
      items.unshift({ kind: 'stall', ms: p.ms });
    } else if (p.$part === 'delay') {
      items.push({ kind: 'delay', ms: p.ms });
    } else if (p.$part === 'bytes') {
      items.push({ kind: 'bytes', bytes: p.bytes });
    } else if ('$httpError' in p) {
      throw new Error('fake-bedrock: httpError() is a whole turn, not a part of one');
    } else {
      const keys = Object.keys(p);
      if (keys.length !== 1) throw new Error(`fake-bedrock: a raw event is {eventName: payload}; got ${JSON.stringify(p)}`);
      const name = keys[0];
      const payload = p[name] as Json;
      ev(name, payload);
      if (name === 'messageStop') hasStop = true;
      if (name === 'metadata') hasMeta = true;
      if (name === 'contentBlockStart' && payload?.start?.toolUse) hasTool = true;
      if (payload && typeof payload.contentBlockIndex === 'number') next = Math.max(next, payload.contentBlockIndex + 1);
    }
  }
  if (!rawMode && !fault) {
    if (!hasStop) ev('messageStop', { stopReason: hasTool ? 'tool_use' : 'end_turn' });
    if (!hasMeta) ev('metadata', { usage: defaultUsage(index), metrics: { latencyMs: 42 } });
  }
  return items;
}

export interface AssembledTurn {
  message: { role: 'assistant'; content: Json[] };
  stopReason?: string;
  usage?: Json;
  metrics?: Json;
  toolUseIds: string[];
  fault: { type: 'cut' } | { type: 'exception'; exceptionType: string; payload: Json } | null;
}

/** What the turn's wire items say: the assistant message (Converse JSON), stop, usage, faults. */
export function assembleTurn(items: WireItem[]): AssembledTurn {
  const blocks = new Map<number, Json>();
  const out: AssembledTurn = { message: { role: 'assistant', content: [] }, toolUseIds: [], fault: null };
  for (const it of items) {
    if (it.kind === 'exception') {
      out.fault = { type: 'exception', exceptionType: it.exceptionType, payload: it.payload };
      break;
    }
    if (it.kind === 'cut' || it.kind === 'goaway') {
      out.fault = { type: 'cut' };
      break;
    }
    if (it.kind !== 'event') continue;
    const p = it.payload ?? {};
    const block = () => blocks.get(p.contentBlockIndex) ?? blocks.set(p.contentBlockIndex, {}).get(p.contentBlockIndex)!;
    if (it.eventType === 'contentBlockStart' && p.start?.toolUse) {
      Object.assign(block(), { type: 'toolUse', toolUseId: p.start.toolUse.toolUseId, name: p.start.toolUse.name, input: '' });
    } else if (it.eventType === 'contentBlockDelta') {
      const b = block();
      const d = p.delta ?? {};
      if (d.text !== undefined) {
        b.type ??= 'text';
        b.text = (b.text ?? '') + d.text;
      }
      if (d.toolUse) {
        b.type ??= 'toolUse';
        b.input = (b.input ?? '') + (d.toolUse.input ?? '');
      }
      const r = d.reasoningContent;
      if (r) {
        b.type ??= 'reasoning';
        if (r.text !== undefined) b.text = (b.text ?? '') + r.text;
        if (r.signature !== undefined) b.signature = r.signature;
        if (r.redactedContent !== undefined) Object.assign(b, { type: 'redacted', data: r.redactedContent });
      }
    } else if (it.eventType === 'messageStop') {
      out.stopReason = p.stopReason;
    } else if (it.eventType === 'metadata') {
      out.usage = p.usage;
      out.metrics = p.metrics;
    }
  }
  for (const idx of [...blocks.keys()].sort((a, b) => a - b)) {
    const b = blocks.get(idx)!;
    if (b.type === 'text') out.message.content.push({ text: b.text });
    else if (b.type === 'toolUse') {
      let input: unknown;
      try {
        input = b.input ? JSON.parse(b.input) : {};
      } catch {
        input = b.input;
      }
      out.message.content.push({ toolUse: { toolUseId: b.toolUseId, name: b.name, input } });
      out.toolUseIds.push(b.toolUseId);
    } else if (b.type === 'reasoning') {
      const reasoningText: Json = { text: b.text ?? '' };
      if (b.signature !== undefined) reasoningText.signature = b.signature;
      out.message.content.push({ reasoningContent: { reasoningText } });
    } else if (b.type === 'redacted') {
      out.message.content.push({ reasoningContent: { redactedContent: b.data } });
    }
  }
  return out;
}
