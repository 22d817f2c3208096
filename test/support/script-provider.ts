import type { Message, ModelInfo, ModelProvider, ModelRequest, StreamEvent, Usage } from '../../src/providers/types.ts';

/** The scripted model's registry entry: tool use, no cache points, a large context window. */
export const SCRIPT_MODEL: ModelInfo = {
  id: 'test-model',
  family: 'test',
  toolUse: true,
  streamingToolUse: true,
  reasoning: false,
  cachePoints: false,
  minCacheTokens: 0,
  contextWindow: 200_000,
  maxOutputTokens: 8192,
  price: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
};

/** One scripted turn: the neutral events to stream, or a function of the request. */
export type ScriptTurn = StreamEvent[] | ((req: ModelRequest) => StreamEvent[] | Promise<StreamEvent[]>) | Error;

/**
 * A provider-neutral scripted model for loop unit tests (no AWS types involved); the Bedrock
 * mapping has its own tests against the fake Bedrock server.
 */
export class ScriptProvider implements ModelProvider {
  readonly name = 'script';
  readonly requests: ModelRequest[] = [];
  constructor(private readonly turns: ScriptTurn[]) {}

  async *stream(req: ModelRequest): AsyncIterable<StreamEvent> {
    this.requests.push({ ...req, messages: structuredClone(req.messages) });
    const turn = this.turns.shift();
    if (turn === undefined) {
      yield* say('(script ran out)');
      return;
    }
    if (turn instanceof Error) throw turn;
    const events = typeof turn === 'function' ? await turn(req) : turn;
    for (const e of events) {
      if (req.signal?.aborted) throw req.signal.reason;
      yield e;
    }
  }

  transcript(req: ModelRequest, extra: Message[] = []): unknown {
    return { system: req.system, messages: [...req.messages, ...extra], tools: req.tools.map((t) => t.name) };
  }
}

const usage = (u: Partial<Usage> = {}): StreamEvent => ({ type: 'usage', usage: { inputTokens: 100, outputTokens: 10, cacheReadInputTokens: 0, cacheWriteInputTokens: 0, ...u } });

/** A text-only turn ending the run. */
export function say(text: string, u?: Partial<Usage>): StreamEvent[] {
  return [
    { type: 'message_start' },
    { type: 'text_delta', index: 0, text },
    { type: 'block_stop', index: 0 },
    { type: 'message_stop', stopReason: 'end_turn', rawStopReason: 'end_turn' },
    usage(u),
  ];
}

/** A turn calling tools (each `[id, name, input]`), optionally after some text. */
export function callTools(calls: [string, string, unknown][], text?: string, u?: Partial<Usage>): StreamEvent[] {
  const ev: StreamEvent[] = [{ type: 'message_start' }];
  let i = 0;
  if (text) {
    ev.push({ type: 'text_delta', index: i, text }, { type: 'block_stop', index: i });
    i++;
  }
  for (const [id, name, input] of calls) {
    const json = JSON.stringify(input);
    ev.push({ type: 'tool_use_start', index: i, id, name }, { type: 'tool_use_delta', index: i, input: '' }, { type: 'tool_use_delta', index: i, input: json.slice(0, 5) }, { type: 'tool_use_delta', index: i, input: json.slice(5) }, { type: 'block_stop', index: i });
    i += 2; // gaps in indices, as some models send
  }
  ev.push({ type: 'message_stop', stopReason: 'tool_use', rawStopReason: 'tool_use' }, usage(u));
  return ev;
}
