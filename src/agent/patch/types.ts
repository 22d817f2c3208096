/** The parsed form of a patch in the Codex `apply_patch` format. */

export interface UpdateChunk {
  /** `@@ <context>` lines, each sought in order to narrow where the chunk applies. */
  contexts: string[];
  /** The lines to find (context and removed lines, in order). */
  oldLines: string[];
  /** What replaces them (context and added lines, in order). */
  newLines: string[];
  /** `*** End of File`: oldLines are expected at the end of the file. */
  endOfFile: boolean;
}

export type Hunk =
  | { type: 'add'; path: string; contents: string; line: number }
  | { type: 'delete'; path: string; line: number }
  | { type: 'update'; path: string; movePath?: string; chunks: UpdateChunk[]; line: number };

/** How a hunk reads in messages: its header line. */
export function hunkHeader(h: Hunk): string {
  if (h.type === 'add') return `*** Add File: ${h.path}`;
  if (h.type === 'delete') return `*** Delete File: ${h.path}`;
  return `*** Update File: ${h.path}${h.movePath ? ` (Move to: ${h.movePath})` : ''}`;
}
