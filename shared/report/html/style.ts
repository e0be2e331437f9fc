/** The page's stylesheet (inline; system fonts only). */
export const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;background:#f6f8fa}
main{max-width:1320px;margin:0 auto;padding:16px 20px 48px}
header.top{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:14px 18px;margin-bottom:16px}
h1{font-size:20px;margin:0 0 4px}
h2{font-size:17px;margin:0 0 10px}
h3{font-size:15px;margin:12px 0 6px}
section{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:14px 18px;margin-bottom:16px;overflow-x:auto}
.meta{color:#57606a;font-size:13px}
.meta span+span:before{content:" · "}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;background:#eaeef2;color:#24292f}
.s-complete{background:#dafbe1;color:#116329}.s-failed{background:#ffebe9;color:#a40e26}.s-running,.s-pending{background:#fff8c5;color:#7d4e00}
.sev-error{background:#ffebe9;color:#a40e26}.sev-warning{background:#fff8c5;color:#7d4e00}.sev-info{background:#ddf4ff;color:#0550ae}
.v-gc-explains{background:#ffebe9;color:#a40e26}.v-no-evidence{background:#dafbe1;color:#116329}.v-insufficient-data{background:#eaeef2;color:#57606a}
.box-boxing{background:#fbefff;color:#8250df}
.error{border:1px solid #ff8182;background:#ffebe9;border-radius:6px;padding:8px 12px;margin-top:10px;white-space:pre-wrap}
progress{width:320px;height:12px;vertical-align:middle}
.verdicts{display:grid;grid-template-columns:1fr 1fr;gap:16px}
@media (max-width:900px){.verdicts{grid-template-columns:1fr}}
.verdicts ol,.verdicts ul{margin:0;padding-left:20px}
.verdicts li{margin:4px 0}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #eaeef2;vertical-align:top}
th{background:#f6f8fa;font-weight:600;position:sticky;top:0}
td.num,th.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
td.expr{max-width:360px;word-break:break-word}
.bar{display:inline-block;height:8px;background:#1f6feb;border-radius:2px;vertical-align:middle;margin-right:6px}
.finding{border-left:4px solid #d0d7de;padding:6px 12px;margin:10px 0}
.finding.sev-error{border-color:#cf222e;background:none;color:inherit}.finding.sev-warning{border-color:#bf8700;background:none;color:inherit}.finding.sev-info{border-color:#0969da;background:none;color:inherit}
.finding .rec{color:#57606a}
.empty{color:#57606a;font-style:italic}
.caption{color:#57606a;font-size:12.5px;margin:6px 0 0}
svg.chart{width:100%;height:auto;display:block;font:11px system-ui,sans-serif}
svg .grid{stroke:#eaeef2}
svg .tick{fill:#57606a}
svg .axis-label,svg .legend,svg .align{fill:#24292f;font-size:12px}
svg .align{font-weight:600}
svg .gc-band{fill:#cf222e;fill-opacity:.16}
svg .gc-band.forced{fill:#8250df}
svg .gc-stw{fill:#cf222e;fill-opacity:.35;pointer-events:none}
svg .gc-label{fill:#a40e26;font-size:10px}
svg .ref{stroke-width:1.2;stroke-dasharray:6 4;opacity:.8}
svg .ref-in{stroke-dasharray:2 3}
svg .pt{stroke:#fff;stroke-width:1}
svg .pt.slow{stroke:#a40e26;stroke-width:2}
svg .series-label{font-weight:600;font-size:12px;fill:#24292f}
svg .row-label,svg .p99-label{fill:#57606a}
svg .verdict{font-weight:600;font-size:12px}
svg text.v-gc-explains{fill:#a40e26}svg text.v-no-evidence{fill:#116329}svg text.v-insufficient-data{fill:#57606a}
svg .box{stroke:#24292f;stroke-width:.6}
svg .box.inside{fill:#ff8182}svg .box.outside{fill:#54aeff}svg .box.all{fill:#8c959f}
svg .whisker{stroke:#24292f}
svg .p50{stroke:#24292f;stroke-width:2.5}
svg .tickmark{stroke:#24292f;stroke-width:1.2}
svg .max{fill:#24292f}
svg .none{fill:#8c959f;font-style:italic}
svg.flame{font:11px ui-monospace,Menlo,Consolas,monospace}
svg.flame .fr rect{stroke:#fff;stroke-width:.5}
svg.flame .fr:hover rect{stroke:#24292f;stroke-width:1}
svg.flame .fr text{fill:#24292f;pointer-events:none}
#tip{position:fixed;z-index:10;max-width:560px;background:#24292f;color:#fff;padding:6px 10px;border-radius:6px;font-size:12.5px;pointer-events:none;box-shadow:0 4px 12px rgba(0,0,0,.25)}
#tip .tip-name{font-family:ui-monospace,Menlo,Consolas,monospace;word-break:break-all;font-weight:600}
#tip .tip-detail{color:#d0d7de}
details summary{cursor:pointer;color:#0969da}
`;
