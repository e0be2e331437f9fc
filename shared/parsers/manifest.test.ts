import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromBuffer } from './bytes.js';
import { parseManifest } from './manifest.js';

const parse = (text: string) => parseManifest(fromBuffer(Buffer.from(text), 3), { file: 'manifest.json' });

describe('parseManifest', () => {
  it('reads every SPEC field', async () => {
    const { manifest, warnings } = await parse(
      JSON.stringify({ repo: 'acme/probe', branch: 'main', commit: 'abc', goVersion: 'go1.22.1', labels: { ci: 'gh' }, binary: 'mapstress', clock: { anchors: [{ perfSeconds: 512.075, goSeconds: 0 }] } }),
    );
    assert.deepEqual(warnings, []);
    assert.deepEqual(manifest.clock?.anchors, [{ perfSeconds: 512.075, goSeconds: 0 }]);
    assert.equal(manifest.binary, 'mapstress');
  });

  it('drops wrong or unknown fields with a warning and keeps the rest', async () => {
    const { manifest, warnings } = await parse('{"repo": 7, "branch": "dev", "extra": true, "clock": {"anchors": [{"perfSeconds": "x"}]}}');
    assert.deepEqual(manifest, { branch: 'dev' });
    assert.equal(warnings.length, 3);
    assert.match(warnings.join('\n'), /unknown field "extra"/);
  });

  it('gives a typed error for broken JSON and for non-objects', async () => {
    await assert.rejects(parse('{"repo": '), { name: 'MalformedInputError' });
    await assert.rejects(parse('[1,2]'), /a manifest is a JSON object/);
  });
});
