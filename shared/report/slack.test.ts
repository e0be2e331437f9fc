// The Slack message on the real mapstress recordings, reports in every state, hostile text, and Block Kit's
// limits (checked here against Slack's documented numbers, not against SLACK_LIMITS).
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { emptyResult, type AnalysisResult, type Finding, type Report } from '../model/report.js';
import { BOXED_ARCHIVE, STRUCT_ARCHIVE } from '../../test/helpers/samples.js';
import { analysedSample, reportOf } from '../../test/helpers/reports.js';
import { renderSlack, type SlackBlock, type SlackMessage } from './slack.js';

const URL_ = 'https://tracelens.example.com/v1/analyses/01JABCDEFGHJKMNPQRSTVWXYZ0';


/** Every limit of Block Kit this message can meet (api.slack.com/reference/block-kit). */
function assertSlackLimits(m: SlackMessage): void {
  assert.ok(typeof m.text === 'string' && m.text.length > 0, 'top-level text fallback');
  assert.ok(m.text.length <= 40_000);
  assert.ok(m.blocks.length >= 1 && m.blocks.length <= 50, `${m.blocks.length} blocks`);
  for (const b of m.blocks as SlackBlock[]) {
    switch (b.type) {
      case 'header':
        assert.equal(b.text.type, 'plain_text');
        assert.ok(b.text.text.length >= 1 && b.text.text.length <= 150, `header ${b.text.text.length}`);
        break;
      case 'section':
        assert.ok(b.text || b.fields, 'a section has text or fields');
        if (b.text) assert.ok(b.text.text.length >= 1 && b.text.text.length <= 3000, `section ${b.text.text.length}`);
        if (b.fields) {
          assert.ok(b.fields.length <= 10);
          for (const f of b.fields) assert.ok(f.text.length <= 2000);
        }
        break;
      case 'context':
        assert.ok(b.elements.length >= 1 && b.elements.length <= 10);
        for (const e of b.elements) assert.ok(e.text.length >= 1 && e.text.length <= 3000);
        break;
      case 'actions':
        assert.ok(b.elements.length >= 1 && b.elements.length <= 25);
        for (const e of b.elements) {
          assert.equal(e.text.type, 'plain_text');
          assert.ok(e.text.text.length <= 75);
          assert.ok(e.url.length <= 3000);
          assert.ok(e.action_id.length <= 255);
        }
        break;
      case 'divider':
        break;
    }
  }
}

const allText = (m: SlackMessage) => JSON.stringify(m);
const sectionTexts = (m: SlackMessage) => m.blocks.flatMap((b) => (b.type === 'section' && b.text ? [b.text.text] : []));

describe('renderSlack on the mapstress recordings', () => {
  let boxed: Report;
  let struct: Report;
  before(async () => {
    boxed = reportOf(await analysedSample(BOXED_ARCHIVE));
    struct = reportOf(await analysedSample(STRUCT_ARCHIVE), { branch: 'struct-values' });
  });

  it('boxed: header, the two answers (main.go:23 boxing first; GC explains the BPF_MAP_UPDATE_ELEM loop), findings, links', () => {
    const m = renderSlack(boxed, { reportUrl: URL_ });
    assertSlackLimits(m);
    const header = m.blocks[0]!;
    assert.equal(header.type, 'header');
    assert.equal(header.type === 'header' && header.text.text, 'TraceLens complete: acme/mapstress · main · 3f2c9e1d0b8a');
    const texts = sectionTexts(m);
    const escapes = texts.find((t) => t.startsWith('*Which heap escapes cost?*'))!;
    const first = escapes.split('\n')[1]!;
    assert.match(first, /`main\.go:23` in `main\.boxed`: 8\.0 MiB \(35\.3% of heap bytes\) · :package: \*boxing\*/);
    assert.match(escapes.split('\n')[2]!, /`main\.go:70`.*\*boxing\*/);
    const gc = texts.find((t) => t.startsWith('*Does GC explain the latency?*'))!;
    assert.match(gc, /`syscall:bpf:BPF_MAP_UPDATE_ELEM` \(gap\): \*GC explains\* \(lift 2\.35, p = 1\.6e-9\)/);
    assert.match(gc, /\*bpf\(BPF_MAP_UPDATE_ELEM\)\*: 20,000 calls, p50 5\.0 µs, p99 26\.0 µs, max 121\.0 µs — GC: no-evidence/);
    assert.ok(texts.includes('*Top findings* (7)'));
    const findingTexts = texts.filter((t) => /^:(warning|red_circle|information_source):/.test(t));
    assert.equal(findingTexts.length, 5);
    assert.match(findingTexts[0]!, /^:warning: \*ESC001\* main\.go:23 allocates 35% of heap bytes/);
    assert.ok(findingTexts.every((t) => /\n_.+_$/.test(t)), 'each finding has its short recommendation');
    assert.ok(allText(m).includes('…and 2 more findings in the report.'));
    const actions = m.blocks.at(-1)!;
    assert.equal(actions.type, 'actions');
    assert.deepEqual(actions.type === 'actions' && actions.elements.map((e) => e.url), [URL_, `${URL_}?format=md`]);
    assert.match(m.text, /^TraceLens complete for acme\/mapstress · main · 3f2c9e1d0b8a: 7 findings$/);
  });

  it('struct: main.go:70 leads, no series is explained by GC, the headline series is still shown', () => {
    const m = renderSlack(struct, { reportUrl: `${URL_}?token=abc` });
    assertSlackLimits(m);
    const texts = sectionTexts(m);
    const escapes = texts.find((t) => t.startsWith('*Which heap escapes cost?*'))!;
    assert.match(escapes.split('\n')[1]!, /`main\.go:70` in `main\.main`: 512\.0 KiB/);
    assert.ok(!escapes.includes('main.go:23'), 'main.go:23 allocates nothing in the struct build');
    const gc = texts.find((t) => t.startsWith('*Does GC explain the latency?*'))!;
    assert.ok(gc.includes('No latency series is explained by GC.'));
    assert.match(gc, /\*bpf\(BPF_MAP_UPDATE_ELEM\)\*: 20,000 calls/);
    const actions = m.blocks.at(-1)!;
    assert.ok(actions.type === 'actions' && actions.elements[1]!.url === `${URL_}?token=abc&format=md`);
  });
});

describe('renderSlack in every state', () => {
  it('failed: status and the (escaped) error, no answers', () => {
    const m = renderSlack(reportOf(emptyResult(), { status: 'failed', error: 'archive is not gzip <tar> & not zip', completedAt: undefined }), { reportUrl: URL_ });
    assertSlackLimits(m);
    assert.equal(m.blocks[0]!.type === 'header' && m.blocks[0]!.text.text, 'TraceLens failed: acme/mapstress · main · 3f2c9e1d0b8a');
    assert.deepEqual(sectionTexts(m), [':x: *Analysis failed*: archive is not gzip &lt;tar&gt; &amp; not zip']);
    assert.equal(m.text, 'TraceLens failed for acme/mapstress · main · 3f2c9e1d0b8a: archive is not gzip &lt;tar&gt; &amp; not zip');
  });

  it('pending and running: the state and progress', () => {
    const pending = renderSlack(reportOf(emptyResult(), { status: 'pending', completedAt: undefined }), { reportUrl: URL_ });
    assertSlackLimits(pending);
    assert.deepEqual(sectionTexts(pending), [':hourglass: *Queued*: the archive has not been analysed yet.']);
    const running = renderSlack(
      reportOf(emptyResult(), { status: 'running', completedAt: undefined, progress: { archiveBytesRead: 3 * 1024 * 1024, archiveBytes: 12 * 1024 * 1024, entriesRead: 4, currentEntry: 'perf.script' } }),
      { reportUrl: URL_ },
    );
    assertSlackLimits(running);
    assert.deepEqual(sectionTexts(running), [':hourglass_flowing_sand: *Running*: 3.0 MiB of 12.0 MiB read, 4 entries, reading `perf.script`.']);
  });

  it('complete with no findings and no sections: says so', () => {
    const m = renderSlack(reportOf(emptyResult(), { repo: undefined, branch: undefined, commit: undefined, labels: {} }), { reportUrl: URL_ });
    assertSlackLimits(m);
    assert.equal(m.blocks[0]!.type === 'header' && m.blocks[0]!.text.text, 'TraceLens complete: 01JABCDEFGHJKMNPQRSTVWXYZ0');
    const texts = sectionTexts(m);
    assert.ok(texts.includes(':white_check_mark: *Complete*: no findings.'));
    assert.ok(texts.some((t) => t.includes('no escape sites')));
    assert.ok(texts.some((t) => t.includes('No latency series (is there a perf input?).')));
    assert.ok(texts.includes('*Findings*\nNo findings. :tada:'));
  });
});

describe('renderSlack escaping and limits', () => {
  const hostile = '<!channel> <@U024BE7LH> <https://evil.example|click> & co';

  it('escapes &, < and > in user-derived text: no mention, link or broadcast survives', () => {
    const finding: Finding = {
      id: 'ESC001-000000000001',
      rule: 'ESC001',
      severity: 'error',
      title: `boxing ${hostile}`,
      message: hostile,
      location: { file: `pkg/${hostile}.go`, line: 3, function: hostile },
      evidence: {},
      recommendation: `Use ${hostile}. Second sentence is dropped.`,
    };
    const result: AnalysisResult = {
      ...emptyResult(),
      findings: [finding],
      escapeSites: [
        {
          file: `${hostile}.go`, line: 1, column: 1, function: hostile, expression: hostile, message: '', diagnostics: [], boxing: true,
          boxingEvidence: [], reasons: [], allocBytes: 10, allocObjects: 1, allocShare: 1, calleeAllocBytes: 0, cpuShare: 0,
        },
      ],
    };
    const m = renderSlack(reportOf(result, { repo: hostile, error: hostile, labels: { [hostile]: hostile } }), { reportUrl: URL_ });
    assertSlackLimits(m);
    for (const b of m.blocks) {
      if (b.type === 'header') continue; // plain_text: Slack does not parse it
      const s = JSON.stringify(b);
      assert.ok(!/<[!@#h]/.test(s), `unescaped control sequence in ${s}`);
      if (b.type !== 'actions') assert.ok(!/&(?!amp;|lt;|gt;)/.test(s), `bare & in ${s}`);
    }
    assert.ok(!/<[!@#h]/.test(m.text) && !/&(?!amp;|lt;|gt;)/.test(m.text));
    const f = sectionTexts(m).find((t) => t.startsWith(':red_circle:'))!;
    assert.ok(f.includes('&lt;!channel&gt; &lt;@U024BE7LH&gt; &lt;https://evil.example|click&gt; &amp; co'));
    assert.ok(f.endsWith('_Use &lt;!channel&gt; &lt;@U024BE7LH&gt; &lt;https://evil.example|click&gt; &amp; co._'), f);
  });

  it('huge reports stay within every limit, cut with an ellipsis and "and N more"', () => {
    const long = (n: number, s = 'x') => s.repeat(n);
    const findings: Finding[] = Array.from({ length: 300 }, (_, i) => ({
      id: `ESC001-${i}`, rule: 'ESC001', severity: (['error', 'warning', 'info'] as const)[i % 3]!, title: long(5000, '&'), message: long(5000),
      location: { file: long(4000, '<'), line: i + 1 }, evidence: {}, recommendation: long(5000, '>'),
    }));
    const escapeSites = Array.from({ length: 200 }, (_, i) => ({
      file: long(3000, '&'), line: i + 1, column: 1, function: long(3000, '>'), expression: long(3000, '<'), message: '', diagnostics: [], boxing: i % 2 === 0,
      boxingEvidence: [], reasons: [], allocBytes: 1_000_000 - i, allocObjects: 1, allocShare: 0.001, calleeAllocBytes: 0, cpuShare: 0,
    }));
    const gc = { verdict: 'gc-explains' as const, lift: 3, pValue: 1e-9, inside: { p99Ns: 1000 }, outside: { p99Ns: 10 }, verdictReason: long(5000, '&') };
    const latency = Array.from({ length: 80 }, (_, i) => ({
      series: i === 0 ? 'syscall:bpf:BPF_MAP_UPDATE_ELEM' : long(3000, `${i}<`), kind: 'duration' as const, count: 1, p50Ns: 1, p90Ns: 1, p99Ns: 1, p999Ns: 1, maxNs: 1, sumNs: 1, source: 'perf',
      gc: gc as never,
    }));
    const report = reportOf(
      { ...emptyResult(), findings, escapeSites, latency, dataQuality: Array.from({ length: 99 }, () => ({ rule: 'DQ001', severity: 'info' as const, message: 'x' })) },
      { repo: long(3000, 'r'), branch: long(3000, '&'), commit: long(3000, 'c'), labels: Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${i}`, long(100, '&')])) },
    );
    const longUrl = `https://x.example/${long(2975)}`; // itself fits, with "?format=md" it does not
    const m = renderSlack(report, { reportUrl: longUrl });
    assertSlackLimits(m);
    assert.ok(m.blocks[0]!.type === 'header' && m.blocks[0]!.text.text.endsWith('…'));
    const texts = sectionTexts(m);
    assert.match(texts.find((t) => t.startsWith('*Which heap escapes cost?*'))!, /…and \d+ more/);
    assert.match(texts.find((t) => t.startsWith('*Does GC explain the latency?*'))!, /…and \d+ more/);
    assert.ok(allText(m).includes('…and 295 more findings in the report.'));
    const actions = m.blocks.at(-1)!;
    assert.deepEqual(actions.type === 'actions' && actions.elements.map((e) => e.url), [longUrl], 'the Markdown link would be too long: left out, not cut');
    for (const t of texts) assert.ok(!/&(?!amp;|lt;|gt;)/.test(t.replace(/…$/, '')), 'no entity cut in half');
    // A URL too long for any button: no actions block at all.
    const none = renderSlack(report, { reportUrl: `https://x.example/${long(3100)}` });
    assertSlackLimits(none);
    assert.ok(none.blocks.every((b) => b.type !== 'actions'));
  });
});
