import type { CheckMeta } from '../types.js';

/** Placeholder until the PSS family lands: filled in by src/checks/pss. */
export const PSS_CHECK_METAS: readonly CheckMeta[] = [];
