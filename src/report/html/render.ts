/**
 * `--format html`: one self-contained page (inline CSS and script, a content
 * security policy that forbids every network request) with, per run, an SVG
 * ladder, a step-through panel (headers, FTP text, narration, the deciding rule
 * in a numbered config listing, the conntrack and expectation tables at that
 * packet), and for compare the matrix linking each cell to its ladder.
 */
import { writeJson, type TextOut } from '../../output/json.js';
import { PAGE_CSS, PAGE_JS } from './assets.js';
import type { HtmlCell, HtmlDocument, HtmlTable } from './input.js';
import { pageData, type PageRun } from './page-data.js';

export type { HtmlCell, HtmlDocument, HtmlRun, HtmlMatrixColumn, HtmlTable, ReportRun } from './input.js';

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Text made safe inside a <script> element: no `</script>`, no `<!--` (each character on its own, so chunk by chunk). */
function scriptSafe(text: string): string {
  return text.replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function flowsTable(run: PageRun): string {
  const rows = run.flows.map(
    (f) =>
      `<tr><td>${f.id}</td><td>${esc(f.role)}</td><td class="mono">${esc(f.client)}</td><td class="mono">${esc(f.server)}</td><td class="${f.outcome === 'blocked' ? 'k-d' : 'k-p'}">${f.outcome}</td><td>${f.blocked ? `packet ${f.blocked.n}: ${esc(f.blocked.by)}` : ''}</td></tr>`,
  );
  return `<div class="flows-box" tabindex="0" role="region" aria-label="flows of ${esc(run.title)}"><table class="flows"><caption class="dim">flows</caption><thead><tr><th scope="col">#</th><th scope="col">role</th><th scope="col">client</th><th scope="col">server</th><th scope="col">outcome</th><th scope="col">first blocked packet</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

function configListing(run: PageRun, lines: readonly string[] | undefined): string {
  if (!lines) return `<p class="dim">(config text not available)</p>`;
  const items = lines.map((l, i) => `<li id="${run.id}-L${i + 1}"><span class="ln" aria-hidden="true">${i + 1}</span><code>${esc(l)}</code></li>`);
  return `<ol class="cfg" tabindex="0" aria-label="${esc(run.config)} with line numbers">${items.join('')}</ol>`;
}

function runSection(run: PageRun, lines: readonly string[] | undefined, startAtBlocked: boolean): string {
  const tables = run.tables
    ? `<h3>conntrack table at this step</h3><div class="ct"></div><h3>expectations (pinholes) at this step</h3><div class="ex"></div>`
    : `<p class="dim">The ${esc(run.engine)} engine keeps no state: each packet is judged by the ACLs alone.</p>`;
  return `<section class="run" id="${run.id}" aria-labelledby="${run.id}-h"${startAtBlocked ? ' data-start="blocked"' : ''}>
<h2 id="${run.id}-h">${esc(run.title)}</h2>
<p class="verdict ${run.works ? 'works' : 'fails'}">${esc(run.summary)}</p>
${run.window !== undefined ? `<p class="window">${esc(run.window)}</p>
` : ''}${flowsTable(run)}
<div class="controls"><button type="button" data-act="prev" aria-label="previous step">◀ Previous</button><button type="button" data-act="next" aria-label="next step">Next ▶</button><span class="dim">or the ← / → keys; click a packet to jump to it</span></div>
<div class="grid">
<div class="left">
<div class="ladder" tabindex="0" role="region" aria-label="ladder of ${esc(run.title)}"></div>
<h3>config ${esc(run.config)}</h3><p class="rule"></p>
${configListing(run, lines)}
</div>
<div class="panel" role="region" aria-label="the selected step">
<p class="pos" aria-live="polite"></p>
<p class="narr"></p>
<div class="notes"></div>
<h3>decided by</h3><p class="by"></p>
${tables}
<h3>FTP text</h3><pre class="ftp"></pre>
<h3>headers</h3><pre class="hdr"></pre>
<h3>engine events</h3><ul class="events"></ul>
</div>
</div>
</section>`;
}

function matrixSection(doc: HtmlDocument, runs: readonly PageRun[]): string {
  const m = doc.matrix;
  if (!m) return '';
  const head = m.columns.map((c) => `<th scope="col">${esc(c.config)} [${esc(c.engine)}]</th>`).join('');
  const rows = m.scenarios.map((name, si) => {
    const cells = m.columns.map((c) => {
      const run = runs[c.runs[si]!]!;
      const blocked = [...new Set(run.flows.filter((f) => f.outcome === 'blocked').map((f) => f.role))];
      const word = run.works ? 'works' : blocked.length > 0 ? `${blocked.join('+')} blocked` : 'fails';
      return `<td><a class="${run.works ? 'good' : 'bad'}" href="#${run.id}">${word}</a></td>`;
    });
    return `<tr><th scope="row">${esc(name)}</th>${cells.join('')}</tr>`;
  });
  const exposure = m.columns
    .filter((c) => c.exposure && c.exposure.length > 0)
    .map((c) => `<li><strong>${esc(c.config)} [${esc(c.engine)}]</strong><ul>${c.exposure!.map((e) => `<li>${esc(e)}</li>`).join('')}</ul></li>`);
  return `<section aria-labelledby="matrix-h"><h2 id="matrix-h">FTP through each policy</h2>
<table class="matrix"><thead><tr><th scope="col">scenario</th>${head}</tr></thead><tbody>${rows.join('')}</tbody></table>
${exposure.length > 0 ? `<h3>Beyond what FTP needed (unsolicited TCP connections that would open)</h3><ul>${exposure.join('')}</ul>` : ''}</section>`;
}

function cellHtml(c: HtmlCell, runs: readonly PageRun[]): string {
  const tone = c.tone ? ` class="${c.tone}"` : '';
  const title = c.title ? ` title="${esc(c.title)}"` : '';
  const run = c.run !== undefined ? runs[c.run] : undefined;
  return run ? `<a${tone}${title} href="#${run.id}">${esc(c.text)}</a>` : `<span${tone}${title}>${esc(c.text)}</span>`;
}

function tablesSection(tables: readonly HtmlTable[] | undefined, runs: readonly PageRun[]): string {
  return (tables ?? [])
    .map((t, k) => {
      const head = t.head.map((h) => `<th scope="col">${esc(h)}</th>`).join('');
      const rows = t.rows.map((r) => `<tr>${r.map((c, i) => (i === 0 ? `<th scope="row">${cellHtml(c, runs)}</th>` : `<td>${cellHtml(c, runs)}</td>`)).join('')}</tr>`);
      const notes = (t.notes ?? []).map((n) => `<li>${cellHtml(n, runs)}</li>`).join('');
      return `<section class="summary" aria-labelledby="table-${k + 1}-h"><h2 id="table-${k + 1}-h">${esc(t.title)}</h2>
<table class="matrix"><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table>${notes ? `<ul class="notes-list">${notes}</ul>` : ''}</section>`;
    })
    .join('\n');
}

/** Renders the whole page. `startAtBlocked`: each run opens at its first denied packet (reports) or at step 1 (lessons). */
export function renderHtml(doc: HtmlDocument, options: { readonly startAtBlocked?: boolean } = {}): string {
  const parts: string[] = [];
  writeHtml({ write: (chunk) => void parts.push(chunk) }, doc, options);
  return parts.join('');
}

/**
 * Writes the page to `out` in pieces: the page data (most of a capture's page: ~0.8 KB a packet) goes out as
 * streamed JSON, never one string, so a long capture's page is not held two or three times over while written.
 */
export function writeHtml(out: TextOut, doc: HtmlDocument, options: { readonly startAtBlocked?: boolean } = {}): void {
  const data = pageData(doc);
  const start = options.startAtBlocked ?? true;
  const prose = (ps: readonly string[] | undefined): string => (ps ?? []).map((p) => `<p class="prose">${esc(p)}</p>`).join('\n');
  out.write(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>${esc(doc.title)}</title>
<style>${PAGE_CSS}</style>
</head>
<body>
<header>
<h1>${esc(doc.title)}</h1>
${prose(doc.intro)}
<p class="legend">Arrows: <span class="k-p">permitted</span><span class="k-r">permitted by a pinhole (RELATED)</span><span class="k-d">denied ✗</span><span class="k-e">timer event</span>. Flags: S SYN, A ACK, F FIN, R RST, P PSH, “.” ACK only.</p>
</header>
<main>
${matrixSection(doc, data.runs)}
${tablesSection(doc.tables, data.runs)}
${data.runs.map((r) => runSection(r, data.configs[r.config], start)).join('\n')}
${prose(doc.outro)}
</main>
<script id="ftpwall-data" type="application/json">`);
  writeJson({ write: (chunk) => out.write(scriptSafe(chunk)) }, data, undefined, 0);
  out.write(`</script>
<script>${PAGE_JS}</script>
</body>
</html>
`);
}
