// SPEC §9: every limit has a default and a setting (TRACELENS_LIMIT_*), and a limit error names the
// file, the offset, the value, the limit and the setting to raise it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadLimits } from '../../shared/config.js';
import { LimitExceededError } from '../../shared/errors.js';
import { DEFAULT_LIMITS, LIMIT_SETTINGS, limitSetting, type Limits } from '../../shared/limits.js';

const EXPECTED: Record<keyof Limits, [env: string, fallback: number]> = {
  archiveBytes: ['TRACELENS_LIMIT_ARCHIVE_BYTES', 4 * 1024 ** 3],
  decodedBytes: ['TRACELENS_LIMIT_DECODED_BYTES', 16 * 1024 ** 3],
  compressionRatio: ['TRACELENS_LIMIT_COMPRESSION_RATIO', 200],
  entries: ['TRACELENS_LIMIT_ENTRIES', 10_000],
  lineBytes: ['TRACELENS_LIMIT_LINE_BYTES', 16 * 1024 ** 2],
  stackDepth: ['TRACELENS_LIMIT_STACK_DEPTH', 1024],
  distinctStacks: ['TRACELENS_LIMIT_DISTINCT_STACKS', 1_000_000],
  analysisSeconds: ['TRACELENS_LIMIT_ANALYSIS_SECONDS', 840],
};

describe('limit settings', () => {
  it('every limit has its default and its TRACELENS_LIMIT_* setting', () => {
    assert.deepEqual(Object.keys(DEFAULT_LIMITS).sort(), Object.keys(EXPECTED).sort());
    assert.deepEqual(Object.keys(LIMIT_SETTINGS).sort(), Object.keys(EXPECTED).sort());
    assert.deepEqual(loadLimits({}), DEFAULT_LIMITS);
    for (const [key, [env, fallback]] of Object.entries(EXPECTED) as Array<[keyof Limits, [string, number]]>) {
      assert.equal(DEFAULT_LIMITS[key], fallback, key);
      assert.equal(LIMIT_SETTINGS[key].env, env);
      assert.equal(limitSetting(key), env);
      assert.equal(loadLimits({ [env]: '7' })[key], 7, env);
      assert.throws(() => loadLimits({ [env]: 'lots' }), (err: unknown) => err instanceof ConfigError && err.message.includes(env));
      assert.throws(() => loadLimits({ [env]: '0' }), ConfigError);
    }
  });

  it('analysis time stays under the Lambda timeout (15 min)', () => {
    assert.ok(DEFAULT_LIMITS.analysisSeconds < 15 * 60);
  });

  it('a limit error names the file, the offset, the value, the limit and the setting', () => {
    const err = new LimitExceededError('compressionRatio', 1031, 200, 'zeros.gz', 16384);
    assert.equal(
      err.message,
      'zeros.gz (byte 16384): compressionRatio 1031 exceeds the limit of 200 (decompressed bytes per compressed byte); set TRACELENS_LIMIT_COMPRESSION_RATIO to raise it',
    );
    assert.equal(err.setting, 'TRACELENS_LIMIT_COMPRESSION_RATIO');
    assert.equal(err.status, 413);
    assert.deepEqual(err.details, { limit: 'compressionRatio', value: 1031, max: 200, setting: 'TRACELENS_LIMIT_COMPRESSION_RATIO', file: 'zeros.gz', byteOffset: 16384 });
  });
});
