/** Bounds that keep hostile input from exhausting the process. All can be raised in the config file. */
export interface InputLimits {
  /** Largest file (or stdin) accepted, in bytes. */
  readonly maxFileBytes: number;
  /** Largest single YAML document accepted, in bytes. */
  readonly maxDocumentBytes: number;
  /** Deepest nesting of mappings and sequences accepted. */
  readonly maxDepth: number;
  /** Most alias dereferences in one document (YAML "billion laughs", CVE-2019-11253). */
  readonly maxAliasCount: number;
}

export const DEFAULT_LIMITS: InputLimits = {
  maxFileBytes: 32 * 1024 * 1024,
  maxDocumentBytes: 8 * 1024 * 1024,
  maxDepth: 256,
  maxAliasCount: 100,
};
