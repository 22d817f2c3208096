import type { ContentBlock, Message, ToolSpec } from '../providers/types.ts';

// Messages are not changed once in the transcript (trimming makes new ones), so each one's size is
// counted once: the estimate per turn then costs the new messages, not the whole transcript.
const messageChars = new WeakMap<Message, number>();
const toolChars = new WeakMap<ToolSpec[], number>();

/** Rough token estimate (4 characters a token), enough to decide when to trim. */
export function estimateTokens(system: string, messages: Message[], tools: ToolSpec[]): number {
  let toolsSize = toolChars.get(tools);
  if (toolsSize === undefined) toolChars.set(tools, (toolsSize = JSON.stringify(tools).length));
  let chars = system.length + toolsSize;
  for (const m of messages) {
    let size = messageChars.get(m);
    if (size === undefined) {
      size = 0;
      for (const b of m.content) size += blockChars(b);
      messageChars.set(m, size);
    }
    chars += size;
  }
  return Math.ceil(chars / 4);
}

function blockChars(b: ContentBlock): number {
  switch (b.type) {
    case 'text':
    case 'reasoning':
      return b.text.length;
    case 'redacted_reasoning':
      return b.data.length;
    case 'tool_use':
      return JSON.stringify(b.input ?? {}).length + b.name.length;
    case 'tool_result':
      return b.content.length + (b.images?.length ?? 0) * IMAGE_CHARS;
  }
}

// An image costs about 1,600 tokens (Claude's largest), whatever its size in base64.
const IMAGE_CHARS = 1600 * 4;

export const ELIDED_NOTE = '[output elided to save context; run the tool again if you need it]';

/**
 * Replaces the content of tool results older than the last `keepRecent` tool-result messages
 * with a short note, and drops their images. Returns a new array; the input is not changed.
 */
export function elideOldToolOutputs(messages: Message[], keepRecent: number): { messages: Message[]; changed: boolean } {
  const resultIdx = messages.map((m, i) => (m.content.some((b) => b.type === 'tool_result') ? i : -1)).filter((i) => i >= 0);
  const cutoff = new Set(resultIdx.slice(0, Math.max(0, resultIdx.length - keepRecent)));
  let changed = false;
  const out = messages.map((m, i) => {
    if (!cutoff.has(i)) return m;
    const content = m.content.map((b) => {
      if (b.type !== 'tool_result') return b;
      const short = b.content === ELIDED_NOTE || b.content.length <= ELIDED_NOTE.length;
      if (short && !b.images?.length) return b;
      changed = true;
      const { images: _images, ...rest } = b;
      return { ...rest, content: short ? b.content : ELIDED_NOTE };
    });
    return { ...m, content };
  });
  return { messages: out, changed };
}

/**
 * Drops the oldest assistant/user exchanges after the first (task) message, keeping the last
 * `keepRecent` exchanges, and appends a summary of what was dropped to the first message, so
 * the conversation still alternates and every tool result keeps its tool call.
 */
export function summariseOldTurns(messages: Message[], keepRecent: number): { messages: Message[]; changed: boolean } {
  const [first, ...rest] = messages;
  if (!first) return { messages, changed: false };
  // rest alternates assistant, user, assistant, user, ... (maybe ending on assistant)
  const pairs = Math.floor(rest.length / 2);
  const drop = Math.max(0, pairs - keepRecent);
  if (drop === 0) return { messages, changed: false };
  const dropped = rest.slice(0, drop * 2);
  const lines: string[] = [];
  for (const m of dropped) {
    for (const b of m.content) {
      if (b.type === 'tool_use') lines.push(`- called ${b.name} ${shortJson(b.input)}`);
      else if (b.type === 'tool_result') lines.push(`  -> ${b.status}: ${oneLine(b.content, 160)}`);
      else if (b.type === 'text' && m.role === 'assistant' && b.text.trim()) lines.push(`- said: ${oneLine(b.text, 240)}`);
    }
  }
  const summary: ContentBlock = {
    type: 'text',
    text: `[Earlier turns were removed to fit the context window. Summary of ${drop} removed exchange(s):]\n${lines.join('\n')}`,
  };
  const firstContent = first.content.filter((b) => !(b.type === 'text' && b.text.startsWith('[Earlier turns were removed')));
  const previous = first.content.find((b) => b.type === 'text' && b.text.startsWith('[Earlier turns were removed')) as { text: string } | undefined;
  if (previous) (summary as { text: string }).text = `${previous.text}\n${lines.join('\n')}`;
  const newFirst: Message = { role: first.role, content: [...firstContent, summary] };
  return { messages: [newFirst, ...rest.slice(drop * 2)], changed: true };
}

export interface FitResult {
  messages: Message[];
  steps: Array<{ strategy: 'elide_tool_outputs' | 'summarise_turns'; before: number; after: number }>;
}

/**
 * Brings the request under `budgetTokens`: first elides older tool outputs, then summarises
 * older turns, each step only as far as needed. `force` trims at least once (used after the
 * model said the context window was exceeded).
 */
export function fitContext(system: string, messages: Message[], tools: ToolSpec[], budgetTokens: number, force = false): FitResult {
  const steps: FitResult['steps'] = [];
  let current = messages;
  let size = estimateTokens(system, current, tools);
  if (size <= budgetTokens && !force) return { messages, steps };
  for (const keep of [4, 1, 0]) {
    const r = elideOldToolOutputs(current, keep);
    if (!r.changed) continue;
    const after = estimateTokens(system, r.messages, tools);
    steps.push({ strategy: 'elide_tool_outputs', before: size, after });
    current = r.messages;
    size = after;
    if (size <= budgetTokens && !force) return { messages: current, steps };
    if (force && size <= budgetTokens) return { messages: current, steps };
  }
  for (const keep of [6, 3, 1]) {
    const r = summariseOldTurns(current, keep);
    if (!r.changed) continue;
    const after = estimateTokens(system, r.messages, tools);
    steps.push({ strategy: 'summarise_turns', before: size, after });
    current = r.messages;
    size = after;
    if (size <= budgetTokens) break;
  }
  return { messages: current, steps };
}

function shortJson(v: unknown): string {
  return oneLine(JSON.stringify(v ?? {}), 160);
}

function oneLine(s: string, max: number): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max)}…` : t;
}
