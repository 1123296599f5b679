/** CVSS v3.x base scores from vectors, and the qualitative rating of a score. */
import type { ImageSeverity } from '../configChecks.js';

const WEIGHTS = {
  AV: { N: 0.85, A: 0.62, L: 0.55, P: 0.2 },
  AC: { L: 0.77, H: 0.44 },
  UI: { N: 0.85, R: 0.62 },
  CIA: { H: 0.56, L: 0.22, N: 0 },
} as const;

/** CVSS v3.1 "round up": the smallest number with one decimal at or above the input. */
function roundUp(value: number): number {
  const integer = Math.round(value * 100000);
  return integer % 10000 === 0 ? integer / 100000 : (Math.floor(integer / 10000) + 1) / 10;
}

/** The base score of a CVSS:3.0 or CVSS:3.1 vector; undefined for anything else. */
export function cvss3BaseScore(vector: string): number | undefined {
  if (!/^CVSS:3\.[01]\//.test(vector)) return undefined;
  const metrics = new Map(vector.split('/').slice(1).map((part) => part.split(':') as [string, string]));
  const pick = <T extends Record<string, number>>(table: T, key: string): number | undefined => {
    const value = metrics.get(key);
    return value !== undefined && value in table ? table[value as keyof T] : undefined;
  };
  const scope = metrics.get('S');
  const av = pick(WEIGHTS.AV, 'AV');
  const ac = pick(WEIGHTS.AC, 'AC');
  const ui = pick(WEIGHTS.UI, 'UI');
  const c = pick(WEIGHTS.CIA, 'C');
  const i = pick(WEIGHTS.CIA, 'I');
  const a = pick(WEIGHTS.CIA, 'A');
  const prText = metrics.get('PR');
  const pr = prText === 'N' ? 0.85 : prText === 'L' ? (scope === 'C' ? 0.68 : 0.62) : prText === 'H' ? (scope === 'C' ? 0.5 : 0.27) : undefined;
  if (av === undefined || ac === undefined || ui === undefined || c === undefined || i === undefined || a === undefined || pr === undefined || (scope !== 'U' && scope !== 'C')) return undefined;
  const iss = 1 - (1 - c) * (1 - i) * (1 - a);
  const impact = scope === 'U' ? 6.42 * iss : 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15;
  const exploitability = 8.22 * av * ac * pr * ui;
  if (impact <= 0) return 0;
  return scope === 'U' ? roundUp(Math.min(impact + exploitability, 10)) : roundUp(Math.min(1.08 * (impact + exploitability), 10));
}

export function ratingOfScore(score: number): ImageSeverity {
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  if (score > 0) return 'low';
  return 'info';
}
