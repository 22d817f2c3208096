import { PatchError } from './errors.ts';
import { seekSequence } from './seek.ts';
import type { UpdateChunk } from './types.ts';

interface SourceLine {
  text: string;
  /** '\n', '\r\n', or '' for a last line without a newline. */
  eol: string;
}

/** [first line index, number of old lines, replacement lines] */
type Replacement = [number, number, string[]];

/**
 * The new content of a file after applying update chunks. Lines keep their own endings; new
 * lines take the file's first line ending (LF when none); the result always ends with a newline.
 * Throws PatchError when a context or the old lines cannot be found.
 */
export function applyChunks(original: string, chunks: UpdateChunk[], display: string): string {
  const { lines, preferred } = splitSource(original);
  const texts = lines.map((l) => l.text);
  const replacements = computeReplacements(texts, chunks, display);
  const out: SourceLine[] = [];
  let next = 0;
  for (const [startIdx, oldLen, newLines] of replacements) {
    if (startIdx < next) throw new PatchError(`Chunks of the update to ${display} overlap; merge them into one chunk.`);
    out.push(...lines.slice(next, startIdx));
    out.push(...newLines.map((text) => ({ text, eol: preferred })));
    next = startIdx + oldLen;
  }
  out.push(...lines.slice(next));
  return out.map((l) => l.text + (l.eol || preferred)).join('');
}

function splitSource(contents: string): { lines: SourceLine[]; preferred: string } {
  const lines: SourceLine[] = [];
  let preferred: string | undefined;
  let at = 0;
  for (let nl = contents.indexOf('\n'); nl !== -1; nl = contents.indexOf('\n', at)) {
    const raw = contents.slice(at, nl);
    const crlf = raw.endsWith('\r');
    const eol = crlf ? '\r\n' : '\n';
    preferred ??= eol;
    lines.push({ text: crlf ? raw.slice(0, -1) : raw, eol });
    at = nl + 1;
  }
  if (at < contents.length) lines.push({ text: contents.slice(at), eol: '' });
  return { lines, preferred: preferred ?? '\n' };
}

function computeReplacements(lines: string[], chunks: UpdateChunk[], display: string): Replacement[] {
  const replacements: Replacement[] = [];
  let lineIndex = 0;
  for (const chunk of chunks) {
    let anchored = false;
    for (const context of chunk.contexts) {
      const idx = seekSequence(lines, [context], lineIndex, false);
      if (idx === undefined) throw new PatchError(`Failed to find context '${context}' in ${display}.`);
      lineIndex = idx + 1;
      anchored = true;
    }
    if (chunk.oldLines.length === 0) {
      // Codex appends a pure addition at the end of the file; after an @@ context, the lines
      // clearly belong right below that context, so they go there.
      const atEnd = lines.length > 0 && lines[lines.length - 1] === '' ? lines.length - 1 : lines.length;
      replacements.push([anchored ? lineIndex : atEnd, 0, chunk.newLines]);
      continue;
    }
    let pattern = chunk.oldLines;
    let newLines = chunk.newLines;
    let found = seekSequence(lines, pattern, lineIndex, chunk.endOfFile);
    if (found === undefined && pattern[pattern.length - 1] === '') {
      // A trailing empty line often stands for the file's final newline: retry without it.
      pattern = pattern.slice(0, -1);
      if (newLines[newLines.length - 1] === '') newLines = newLines.slice(0, -1);
      found = seekSequence(lines, pattern, lineIndex, chunk.endOfFile);
    }
    if (found === undefined) {
      throw new PatchError(
        `Failed to find expected lines in ${display}:\n${chunk.oldLines.join('\n')}\n(read the file again and copy the lines exactly; context lines start with a space)`,
      );
    }
    replacements.push([found, pattern.length, newLines]);
    lineIndex = found + pattern.length;
  }
  return replacements.map((r, i) => [r, i] as const).sort((a, b) => a[0][0] - b[0][0] || a[1] - b[1]).map(([r]) => r);
}
