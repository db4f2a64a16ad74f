/** Semantic versions (MAJOR.MINOR.PATCH with an optional pre-release), as the registry numbers contract versions. */

import { MAX_VERSION_LENGTH } from './names.js';

export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  prerelease: string | null;
}

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-.]+)?$/;

export function parseSemVer(text: string): SemVer | null {
  // Bounded, so that an accepted version can always be stored, indexed and shown (see names.ts).
  if (text.length > MAX_VERSION_LENGTH) return null;
  const m = SEMVER.exec(text);
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), prerelease: m[4] ?? null };
}

export function isSemVer(text: string): boolean {
  return parseSemVer(text) !== null;
}

/** Negative when a < b, 0 when equal (build metadata ignored), positive when a > b. Both must be valid. */
export function compareSemVer(a: string, b: string): number {
  const x = parseSemVer(a);
  const y = parseSemVer(b);
  if (!x || !y) throw new Error(`not a semantic version: ${!x ? a : b}`);
  for (const key of ['major', 'minor', 'patch'] as const) {
    if (x[key] !== y[key]) return x[key] - y[key];
  }
  if (x.prerelease === y.prerelease) return 0;
  if (x.prerelease === null) return 1; // 1.0.0 > 1.0.0-rc.1
  if (y.prerelease === null) return -1;
  const xs = x.prerelease.split('.');
  const ys = y.prerelease.split('.');
  for (let i = 0; i < Math.max(xs.length, ys.length); i++) {
    const p = xs[i];
    const q = ys[i];
    if (p === undefined) return -1;
    if (q === undefined) return 1;
    const pn = /^\d+$/.test(p);
    const qn = /^\d+$/.test(q);
    if (pn && qn && Number(p) !== Number(q)) return Number(p) - Number(q);
    if (pn !== qn) return pn ? -1 : 1;
    if (p !== q) return p < q ? -1 : 1;
  }
  return 0;
}

export type VersionBump = 'major' | 'minor' | 'patch';

/** The next version after `version` for a bump; a pre-release is released by a patch bump (1.2.0-rc.1 → 1.2.0). */
export function bumpVersion(version: string, bump: VersionBump): string {
  const v = parseSemVer(version);
  if (!v) throw new Error(`not a semantic version: ${version}`);
  if (bump === 'major') return `${v.major + 1}.0.0`;
  if (bump === 'minor') return `${v.major}.${v.minor + 1}.0`;
  if (v.prerelease !== null) return `${v.major}.${v.minor}.${v.patch}`;
  return `${v.major}.${v.minor}.${v.patch + 1}`;
}
