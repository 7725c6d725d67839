/** The dashboard's stylesheet, inlined in the page and allowed by its hash in the Content-Security-Policy. */
export const DASHBOARD_CSS = `
:root { color-scheme: light; --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --accent: #0b5cad; --late-bg: #ffebe9; --late-ink: #82071e; --ok: #116329; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #f6f8fa; }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 1rem; padding: .75rem 1.25rem; background: #fff; border-bottom: 1px solid var(--line); }
h1 { font-size: 1.3rem; margin: 0; }
h2 { font-size: 1.1rem; margin: 0 0 .5rem; }
h3 { font-size: 1rem; margin: 1rem 0 .4rem; }
main { padding: 1rem 1.25rem; display: grid; gap: 1rem; }
section, aside { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 1rem; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.message { margin: 0; color: var(--muted); min-height: 1.45em; }
.message.error { color: var(--late-ink); font-weight: 600; }
.figures { display: flex; flex-wrap: wrap; gap: .75rem; margin: 0 0 1rem; padding: 0; list-style: none; }
.figures li { border: 1px solid var(--line); border-radius: 6px; padding: .5rem .75rem; min-width: 9.5rem; }
.figures .value { display: block; font-size: 1.35rem; font-weight: 600; }
.figures .label { color: var(--muted); font-size: .85rem; }
.stats-grid { display: grid; grid-template-columns: minmax(0, 1fr); gap: 1rem; }
figure { margin: 0; max-width: 46rem; }
figcaption { font-weight: 600; margin-bottom: .25rem; }
svg.chart { width: 100%; height: auto; max-height: 200px; }
svg.chart rect { fill: var(--accent); }
svg.chart text { font-size: 11px; fill: var(--muted); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: .85rem; color: var(--muted); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.table-wrap { overflow-x: auto; }
form.filters { display: flex; flex-wrap: wrap; gap: .75rem; align-items: flex-end; margin-bottom: .75rem; }
form.filters label, .field label { display: block; font-size: .85rem; color: var(--muted); margin-bottom: .15rem; }
form.filters .check label { display: inline; color: var(--ink); font-size: .95rem; }
input, select, textarea, button { font: inherit; }
input[type="search"], input[type="date"], select, textarea, input[type="text"] { padding: .3rem .4rem; border: 1px solid #8c959f; border-radius: 4px; background: #fff; color: var(--ink); }
textarea { width: 100%; min-height: 3.5rem; }
button, a.button { padding: .35rem .8rem; border: 1px solid var(--accent); border-radius: 4px; background: var(--accent); color: #fff; cursor: pointer; text-decoration: none; display: inline-block; }
button.secondary, a.button.secondary { background: #fff; color: var(--accent); }
button[disabled] { opacity: .5; cursor: not-allowed; }
button.row-link { background: none; border: 0; padding: 0; color: var(--accent); text-decoration: underline; text-align: left; }
.clip { display: block; max-width: 13rem; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.split.open .clip { max-width: 8rem; }
select { max-width: 16rem; }
h2, h3 { overflow-wrap: anywhere; }
:focus-visible { outline: 3px solid #d4a72c; outline-offset: 2px; }
tr.selected { background: #ddf4ff; }
td.late { background: var(--late-bg); color: var(--late-ink); font-weight: 600; }
.split { display: grid; grid-template-columns: minmax(0, 1fr); gap: 1rem; }
@media (min-width: 1100px) { .split.open { grid-template-columns: minmax(0, 1fr) 24rem; } }
dl.facts { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: .2rem .75rem; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.actions { display: flex; flex-wrap: wrap; gap: .5rem; margin-top: .5rem; }
ol.history { padding-left: 1.2rem; margin: 0; }
ol.history li { margin-bottom: .4rem; overflow-wrap: anywhere; }
ol.history time { color: var(--muted); font-size: .85rem; display: block; }
fieldset.dialog { border: 1px solid var(--line); border-radius: 6px; margin: .75rem 0; padding: .5rem .75rem; }
fieldset.dialog legend { font-weight: 600; }
.attempt { display: flex; flex-wrap: wrap; gap: .5rem; align-items: flex-end; }
.badge { display: inline-block; margin-left: .35rem; padding: 0 .35rem; border-radius: 4px; font-size: .8rem; background: var(--late-bg); color: var(--late-ink); }
.badge.trial { background: #f3e8ff; color: #5b2a86; }
.detail-head { display: flex; justify-content: space-between; align-items: baseline; gap: .5rem; }
`;
