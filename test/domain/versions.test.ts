import { describe, expect, it } from 'vitest';
import { bumpVersion, compareSemVer, isSemVer, parseSemVer } from '../../src/domain/versions.js';

describe('semantic versions', () => {
  it('parses MAJOR.MINOR.PATCH with pre-release and build metadata', () => {
    expect(parseSemVer('1.2.3')).toEqual({ major: 1, minor: 2, patch: 3, prerelease: null });
    expect(parseSemVer('1.2.3-rc.1+build.5')).toEqual({ major: 1, minor: 2, patch: 3, prerelease: 'rc.1' });
    for (const bad of ['1.2', 'v1.2.3', '01.2.3', '1.2.3.4', '', 'x']) expect(isSemVer(bad), bad).toBe(false);
  });

  it('orders versions as semver does', () => {
    const sorted = ['1.0.0', '0.9.9', '1.0.0-rc.1', '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-beta.2', '1.0.0-beta.11', '2.0.0', '1.10.0', '1.2.0'];
    sorted.sort(compareSemVer);
    expect(sorted).toEqual(['0.9.9', '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.2.0', '1.10.0', '2.0.0']);
    expect(compareSemVer('1.0.0+a', '1.0.0+b')).toBe(0);
  });

  it('bumps', () => {
    expect(bumpVersion('1.2.3', 'patch')).toBe('1.2.4');
    expect(bumpVersion('1.2.3', 'minor')).toBe('1.3.0');
    expect(bumpVersion('1.2.3', 'major')).toBe('2.0.0');
    expect(bumpVersion('1.3.0-rc.1', 'patch')).toBe('1.3.0');
    expect(() => bumpVersion('one', 'patch')).toThrow(/not a semantic version/);
  });
});
