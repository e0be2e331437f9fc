import type { Finding, Report, Severity } from '../model/report.js';
import { bytes, ns, pct, provenance, SEVERITY_RANK } from './format.js';

/**
 * A chatops summary of a report as Slack Block Kit JSON (SPEC §5 `format=slack`): the message a bot posts
 * with `chat.postMessage` (`{ text, blocks }`). The two answers first — which escape sites cost heap bytes
 * (boxing flagged) and whether GC explains latency — then the top findings, and links back to the report.
 *
 * Block Kit limits are respected by construction (see SLACK_LIMITS): text is cut with an ellipsis and lists
 * end in "and N more" rather than exceeding them. User-derived text is escaped for mrkdwn (&, <, >).
 */

/** Block Kit limits (api.slack.com/reference/block-kit/blocks, .../block-elements). */
export const SLACK_LIMITS = {
  blocks: 50,
  headerText: 150,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  contextElements: 10,
  contextText: 3000,
  actionsElements: 25,
  buttonText: 75,
  url: 3000,
  /** chat.postMessage truncates `text` past 40,000; a notification shows far less. */
  fallbackText: 3000,
} as const;

export interface SlackText {
  type: 'plain_text' | 'mrkdwn';
  text: string;
  emoji?: boolean;
}
export interface SlackHeaderBlock {
  type: 'header';
  text: SlackText & { type: 'plain_text' };
}
export interface SlackSectionBlock {
  type: 'section';
  text?: SlackText;
  fields?: SlackText[];
}
export interface SlackDividerBlock {
  type: 'divider';
}
export interface SlackContextBlock {
  type: 'context';
  elements: SlackText[];
}
export interface SlackButton {
  type: 'button';
  text: SlackText & { type: 'plain_text' };
  url: string;
  action_id: string;
  style?: 'primary' | 'danger';
}
export interface SlackActionsBlock {
  type: 'actions';
  elements: SlackButton[];
}
export type SlackBlock = SlackHeaderBlock | SlackSectionBlock | SlackDividerBlock | SlackContextBlock | SlackActionsBlock;

export interface SlackMessage {
  /** Fallback for notifications and clients without blocks (mrkdwn, escaped). */
  text: string;
  blocks: SlackBlock[];
}

export interface SlackOptions {
  /** The report's page (or share link); the Markdown button appends `format=md` to it. */
  reportUrl: string;
}

/** How many of each list the message shows before "and N more". */
const TOP_SITES = 5;
const TOP_FINDINGS = 5;
const TOP_GC_SERIES = 5;

const SEVERITY_ICON: Record<Severity, string> = { error: ':red_circle:', warning: ':warning:', info: ':information_source:' };
const STATUS_ICON: Record<Report['status'], string> = {
  complete: ':white_check_mark:',
  failed: ':x:',
  running: ':hourglass_flowing_sand:',
  pending: ':hourglass:',
};

export function renderSlack(report: Report, opts: SlackOptions): SlackMessage {
  const blocks: SlackBlock[] = [];
  const where = provenance(report);
  blocks.push({
    type: 'header',
    text: { type: 'plain_text', text: clip(`TraceLens ${report.status}: ${where || report.id}`, SLACK_LIMITS.headerText), emoji: true },
  });
  blocks.push(section(statusText(report)));

  if (report.status === 'complete') {
    blocks.push(section(escapeSitesAnswer(report)));
    blocks.push(section(gcAnswer(report)));
    blocks.push({ type: 'divider' });
    blocks.push(...findingBlocks(report.findings));
  }

  blocks.push(contextBlock(report));
  const actions = actionsBlock(opts.reportUrl);
  if (actions) blocks.push(actions);

  // Never past the block limit: drop finding sections from the end (the context and buttons stay).
  while (blocks.length > SLACK_LIMITS.blocks) blocks.splice(blocks.length - (actions ? 3 : 2), 1);

  return { text: fallbackText(report, where), blocks };
}

function statusText(report: Report): string {
  const icon = STATUS_ICON[report.status];
  switch (report.status) {
    case 'failed':
      return `${icon} *Analysis failed*${report.error ? `: ${esc(report.error)}` : ''}`;
    case 'pending':
      return `${icon} *Queued*: the archive has not been analysed yet.`;
    case 'running': {
      const p = report.progress;
      if (!p) return `${icon} *Running*`;
      const of = p.archiveBytes ? ` of ${bytes(p.archiveBytes)}` : '';
      const entry = p.currentEntry ? `, reading \`${code(p.currentEntry)}\`` : '';
      return `${icon} *Running*: ${bytes(p.archiveBytesRead)}${of} read, ${p.entriesRead} entries${entry}.`;
    }
    case 'complete': {
      const counts = (['error', 'warning', 'info'] as const)
        .map((s) => [s, report.findings.filter((f) => f.severity === s).length] as const)
        .filter(([, n]) => n > 0)
        .map(([s, n]) => `${n} ${s}`);
      const findings = report.findings.length === 0 ? 'no findings' : `${plural(report.findings.length, 'finding')} (${counts.join(', ')})`;
      const dq = report.dataQuality.length > 0 ? ` · ${plural(report.dataQuality.length, 'data-quality note')}` : '';
      return `${icon} *Complete*: ${findings}${dq}.`;
    }
  }
}

/** Answer 1: which escape sites cost, by allocated bytes, boxing flagged. */
function escapeSitesAnswer(report: Report): string {
  const title = '*Which heap escapes cost?*';
  const sites = report.escapeSites.filter((s) => s.allocBytes > 0).sort((a, b) => b.allocBytes - a.allocBytes);
  if (sites.length === 0) {
    const why = report.escapeSites.length > 0 ? 'no escape site has allocated bytes in the heap profile' : 'no escape sites (is there a go-escape input and a heap profile?)';
    return `${title}\n${why}.`;
  }
  const lines = sites.map((s) => {
    const fn = s.function ? ` in \`${code(s.function)}\`` : '';
    const box = s.boxing ? ' · :package: *boxing*' : '';
    return `• \`${code(`${s.file}:${s.line}`)}\`${fn}: ${bytes(s.allocBytes)} (${pct(s.allocShare)} of heap bytes)${box} — ${esc(clip(s.expression, 120))}`;
  });
  return listText(title, lines, TOP_SITES, 'escape sites');
}

/** Answer 2: the latency series GC explains, and the headline bpf() map-update series whatever its verdict. */
function gcAnswer(report: Report): string {
  const title = '*Does GC explain the latency?*';
  const lines: string[] = [];
  const explained = report.latency.filter((l) => l.gc?.verdict === 'gc-explains');
  for (const l of explained) {
    const gc = l.gc;
    if (!gc || !('inside' in gc)) continue;
    const lift = gc.lift !== null ? `lift ${gc.lift.toFixed(2)}` : 'lift n/a';
    lines.push(
      `• :white_check_mark: \`${code(l.series)}\` (${l.kind}): *GC explains* (${lift}, p = ${gc.pValue.toExponential(1)}) — p99 inside GC ${ns(gc.inside.p99Ns)} vs outside ${ns(gc.outside.p99Ns)}`,
    );
  }
  const shown = lines.slice(0, TOP_GC_SERIES);
  if (lines.length > TOP_GC_SERIES) shown.push(`…and ${lines.length - TOP_GC_SERIES} more series GC explains`);
  if (explained.length === 0) shown.push(report.latency.length > 0 ? '• No latency series is explained by GC.' : '• No latency series (is there a perf input?).');

  const headline = report.latency.find((l) => l.series === 'syscall:bpf:BPF_MAP_UPDATE_ELEM' && l.kind === 'duration');
  if (headline) {
    const v = headline.gc ? ` — GC: ${headline.gc.verdict}${headline.gc.verdictReason ? ` (${esc(clip(headline.gc.verdictReason, 200))})` : ''}` : '';
    shown.push(
      `• *bpf(BPF_MAP_UPDATE_ELEM)*: ${headline.count.toLocaleString('en-US')} calls, p50 ${ns(headline.p50Ns)}, p99 ${ns(headline.p99Ns)}, max ${ns(headline.maxNs)}${v}`,
    );
  }
  return fitLines(title, shown, SLACK_LIMITS.sectionText);
}

function findingBlocks(findings: Finding[]): SlackBlock[] {
  if (findings.length === 0) return [section('*Findings*\nNo findings. :tada:')];
  const sorted = [...findings].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]);
  const out: SlackBlock[] = [section(`*Top findings* (${sorted.length})`)];
  for (const f of sorted.slice(0, TOP_FINDINGS)) {
    const where = f.location?.file ? ` · \`${code(`${f.location.file}${f.location.line ? `:${f.location.line}` : ''}`)}\`` : '';
    const text = `${SEVERITY_ICON[f.severity]} *${esc(f.rule)}* ${esc(clip(f.title, 300))}${where}\n_${esc(clip(firstSentence(f.recommendation), 400))}_`;
    out.push(section(text));
  }
  if (sorted.length > TOP_FINDINGS) {
    out.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `…and ${sorted.length - TOP_FINDINGS} more findings in the report.` }] });
  }
  return out;
}

function contextBlock(report: Report): SlackContextBlock {
  const parts = [`Report \`${code(report.id)}\``, `created ${esc(report.createdAt)}`];
  if (report.completedAt) parts.push(`completed ${esc(report.completedAt)}`);
  if (report.inputs.length > 0) parts.push(plural(report.inputs.length, 'input'));
  const labels = Object.entries(report.labels).map(([k, v]) => `${k}=${v}`);
  if (labels.length > 0) parts.push(`labels ${esc(clip(labels.join(', '), 300))}`);
  return { type: 'context', elements: [{ type: 'mrkdwn', text: clip(parts.join(' · '), SLACK_LIMITS.contextText) }] };
}

/** Buttons back to the report; a button whose URL would exceed Slack's limit is left out, never cut. */
function actionsBlock(reportUrl: string): SlackActionsBlock | null {
  const md = `${reportUrl}${reportUrl.includes('?') ? '&' : '?'}format=md`;
  const buttons: SlackButton[] = [];
  if (reportUrl && reportUrl.length <= SLACK_LIMITS.url) {
    buttons.push({ type: 'button', text: { type: 'plain_text', text: 'Open report' }, url: reportUrl, action_id: 'tracelens-open-report', style: 'primary' });
  }
  if (reportUrl && md.length <= SLACK_LIMITS.url) {
    buttons.push({ type: 'button', text: { type: 'plain_text', text: 'Markdown' }, url: md, action_id: 'tracelens-open-markdown' });
  }
  return buttons.length > 0 ? { type: 'actions', elements: buttons } : null;
}

function fallbackText(report: Report, where: string): string {
  const head = `TraceLens ${report.status}${where ? ` for ${where}` : ''}`;
  const tail =
    report.status === 'failed'
      ? `: ${report.error ?? 'no error message'}`
      : report.status === 'complete'
        ? `: ${plural(report.findings.length, 'finding')}`
        : '';
  return clipEscaped(`${head}${tail}`, SLACK_LIMITS.fallbackText);
}

function section(text: string): SlackSectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: clip(text, SLACK_LIMITS.sectionText) } };
}

/** A title and bullet lines, the first `top` of them, then "…and N more <what>". */
function listText(title: string, lines: string[], top: number, what: string): string {
  const shown = lines.slice(0, top);
  if (lines.length > top) shown.push(`…and ${lines.length - top} more ${what}`);
  return fitLines(title, shown, SLACK_LIMITS.sectionText);
}

/** Joins lines under `max` characters, ending in "…and N more" when some do not fit. */
function fitLines(title: string, lines: string[], max: number): string {
  let out = title;
  for (let i = 0; i < lines.length; i++) {
    const line = clip(lines[i]!, Math.floor(max / 2));
    const rest = lines.length - i;
    const more = `\n…and ${rest} more`;
    if (out.length + 1 + line.length + (rest > 1 ? more.length : 0) > max) return out + more;
    out += `\n${line}`;
  }
  return out;
}

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function esc(s: string): string {
  return escapeMrkdwn(s.replace(/\r?\n/g, ' '));
}

/** Text inside a `code span`: escaped, and without backticks that would end the span. */
function code(s: string): string {
  return esc(clip(s, 200)).replace(/`/g, "'");
}

/** Cuts to at most `max` characters with an ellipsis, never inside an entity (&amp;) or a surrogate pair. */
export function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  let cut = s.slice(0, max - 1);
  // An entity (&amp; &lt; &gt;) is at most 5 characters: an `&` near the end with no `;` after it was split.
  const amp = cut.lastIndexOf('&');
  if (amp >= 0 && amp >= cut.length - 4 && !cut.slice(amp).includes(';')) cut = cut.slice(0, amp);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return `${cut}…`;
}

function clipEscaped(s: string, max: number): string {
  return clip(esc(s), max);
}

function firstSentence(s: string): string {
  const m = /^(.+?[.!?])(\s|$)/.exec(s);
  return m ? m[1]! : s;
}

function plural(n: number, what: string): string {
  return `${n.toLocaleString('en-US')} ${what}${n === 1 ? '' : 's'}`;
}
