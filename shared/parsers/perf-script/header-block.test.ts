import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ROOT } from '../../../test/helpers/samples.js';
import { checkGolden } from '../../../test/helpers/perf-lines.js';
import { HeaderBlock } from './header-block.js';

const FIXTURES = `${ROOT}test/fixtures/perf-script/header/`;

function feed(text: string): HeaderBlock {
  const h = new HeaderBlock();
  for (const line of text.split('\n')) h.line(line);
  return h;
}

describe('HeaderBlock on recorded fixtures (test/fixtures/perf-script/header)', () => {
  for (const name of readdirSync(FIXTURES).filter((f) => f.endsWith('.txt'))) {
    it(`${name} matches ${name.replace(/\.txt$/, '.expected.json')}`, () => {
      checkGolden(FIXTURES + name.replace(/\.txt$/, '.expected.json'), feed(readFileSync(FIXTURES + name, 'utf8')).result());
    });
  }

  it('fills the named fields from perf 6.1 `perf script --header`', () => {
    const h = feed(readFileSync(`${FIXTURES}perf-script-header.txt`, 'utf8')).result();
    assert.match(h.capturedOn ?? '', /^\w{3} \w{3} +\d+ \d\d:\d\d:\d\d \d{4}$/);
    assert.equal(h.hostname, 'vm');
    assert.equal(h.osRelease, '6.18.44-fc-v769');
    assert.equal(h.perfVersion, '6.1.187');
    assert.equal(h.arch, 'x86_64');
    assert.equal(h.nrCpus, '2');
    assert.match(h.cmdline ?? '', /^\/usr\/bin\/perf record -q -o sys\.data -e sched:sched_switch .* -g -- /);
    assert.equal(h.events.length, 8);
    assert.match(h.events[0]!, /^name = sched:sched_switch, , id = \{ \d+, \d+ \}, type = 2, size = 128, config = 0x[0-9a-f]+, /);
    assert.equal(h.fields['pmu mappings'], 'software = 1, uprobe = 8, breakpoint = 5, tracepoint = 2, msr = 9');
    assert.match(h.fields['sample duration'] ?? '', /^\d+\.\d+ ms$/);
    assert.equal(h.fields['nrcpus avail'], '2');
    assert.equal('CPU_TOPOLOGY info available, use -I to display' in h.fields, false);
  });

  it('reads the -I sections: pairs with odd keys, lines without a colon skipped', () => {
    const h = feed(readFileSync(`${FIXTURES}perf-script-header-info.txt`, 'utf8')).result();
    assert.equal(h.fields['sibling sockets'], '0-1');
    assert.equal(h.fields['CPU 0'], 'Core ID 0, Die ID 0, Socket ID 0');
    assert.equal(h.fields['sibling threads'], '0', 'a repeated key keeps its first value');
    assert.equal(h.fields['CPU cache info'], '');
  });
});

describe('HeaderBlock', () => {
  it('ignores lines before the first and after the second bar, and non-comment lines', () => {
    const h = new HeaderBlock();
    for (const line of ['# hostname : before', '# ========', '# hostname : box', 'not a comment: x', '# ========', '#', '# hostname : after']) {
      h.line(line);
    }
    // Lines before the first bar still count: the caller decides where the block starts.
    assert.equal(h.result().hostname, 'before');
    assert.equal(h.result().fields.hostname, 'before');
  });
  it('takes nrcpus avail when online is missing, and survives keys like constructor', () => {
    const h = new HeaderBlock();
    for (const line of ['# ========', '# nrcpus avail : 8', '# constructor : x', '# __proto__ : y', '# : empty key', '# ========']) {
      h.line(line);
    }
    const r = h.result();
    assert.equal(r.nrCpus, '8');
    assert.equal(r.fields.constructor, 'x');
    assert.deepEqual(r.events, []);
  });
  it('returns a copy', () => {
    const h = new HeaderBlock();
    h.line('# event : name = cycles');
    const r = h.result();
    r.events.push('x');
    assert.deepEqual(h.result().events, ['name = cycles']);
  });
});
