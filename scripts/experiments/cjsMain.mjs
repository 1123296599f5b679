// The CommonJS bundle as a library (main only), for binCjs.mjs. BENCHMARKS.md (a.2).
export { main } from '../../dist/cli/main.js';
