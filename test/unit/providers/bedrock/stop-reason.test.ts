import { describe, expect, it } from 'vitest';
import { mapStopReason } from '../../../../src/providers/index.ts';

describe('mapStopReason', () => {
  it('maps every Bedrock stop reason', () => {
    const raw = ['end_turn', 'tool_use', 'max_tokens', 'stop_sequence', 'guardrail_intervened', 'content_filtered', 'model_context_window_exceeded', 'malformed_model_output', 'malformed_tool_use', 'brand_new', '', undefined, 'toString'];
    expect(raw.map(mapStopReason)).toEqual(['end_turn', 'tool_use', 'max_tokens', 'stop_sequence', 'guardrail_intervened', 'content_filtered', 'context_window_exceeded', 'other', 'other', 'other', 'other', 'other', 'other']);
  });
});
