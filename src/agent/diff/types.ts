/** Types of the workspace snapshot, the git-style diff and its in-memory applier. */

/** Git's file modes: regular file, executable file, symbolic link (content = link target). */
export type FileMode = '100644' | '100755' | '120000';

/** A file or symbolic link with its content in memory. */
export interface FileEntry {
  mode: FileMode;
  /** File bytes, or the link target for a symbolic link. */
  content: Buffer;
}

/**
 * A regular file kept by size and git blob id only (past the snapshot's size limit or content
 * budget): compared by id, written in a diff as a binary change without data, as git does.
 */
export interface LargeEntry {
  mode: '100644' | '100755';
  size: number;
  oid: string;
}

export type SnapshotEntry = FileEntry | LargeEntry;

/** Workspace-relative posix path → entry. Iteration order carries no meaning. */
export type Snapshot = Map<string, SnapshotEntry>;

/** A snapshot whose every entry has its content (built in memory, or read back for applying). */
export type FileTree = Map<string, FileEntry>;

/** One line of a text hunk; `text` excludes the line's `\n`, `eol` says whether it had one. */
export interface HunkLine {
  op: ' ' | '-' | '+';
  text: string;
  eol: boolean;
}

export interface Hunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  lines: HunkLine[];
}

/** One hunk of a `GIT binary patch`, payload already inflated. */
export interface BinaryHunk {
  kind: 'literal' | 'delta';
  /** Size of the inflated payload as the header states it. */
  size: number;
  data: Buffer;
}

export type FilePatchStatus = 'added' | 'deleted' | 'modified' | 'renamed' | 'copied';

/** One file's part of a git-style diff. Paths are workspace-relative, prefixes (`a/`, `b/`) stripped. */
export interface FilePatch {
  status: FilePatchStatus;
  /** Absent for added files. */
  oldPath?: string;
  /** Absent for deleted files. */
  newPath?: string;
  oldMode?: FileMode;
  newMode?: FileMode;
  /** Blob ids from the `index` line (may be abbreviated). */
  oldOid?: string;
  newOid?: string;
  similarity?: number;
  hunks: Hunk[];
  binary?: { forward: BinaryHunk; reverse?: BinaryHunk };
  /** `Binary files ... differ` without data: cannot be applied. */
  binaryWithoutData?: boolean;
  /**
   * Set when the patch was read from bytes that are not UTF-8 (git writes such files as text):
   * hunk line texts then hold one character per byte (latin1) instead of decoded text.
   */
  byteText?: boolean;
}
