/** Reading ftpwall's HTML pages in tests: the summary tables' rows and notes, and the embedded data. */

/** The text of each row of the table under the heading `title`. */
export function tableRows(html: string, title: string): string[][] {
  const start = html.indexOf(`>${title.replace(/&/g, '&amp;')}</h2>`);
  if (start < 0) throw new Error(`no table '${title}'`);
  const table = html.slice(start, html.indexOf('</table>', start));
  const text = (cell: string): string =>
    cell
      .replace(/<[^>]+>/g, '')
      .replace(/&gt;/g, '>')
      .replace(/&lt;/g, '<')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&');
  return [...table.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => [...m[1]!.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) => text(c[1]!)));
}

/** The notes under the table `title`. */
export function tableNotes(html: string, title: string): string[] {
  const start = html.indexOf(`>${title.replace(/&/g, '&amp;')}</h2>`);
  const end = html.indexOf('</section>', start);
  const list = /<ul class="notes-list">([\s\S]*?)<\/ul>/.exec(html.slice(start, end));
  return list ? [...list[1]!.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, '').replace(/&gt;/g, '>').replace(/&amp;/g, '&')) : [];
}
