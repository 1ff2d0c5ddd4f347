/*
 * A report as plain blocks, written once and rendered twice: as Markdown (report.md, plots
 * linked) and as one self-contained HTML page (report.html, plots inlined as SVG).
 */

export type Block =
  | { readonly kind: "heading"; readonly level: 1 | 2 | 3; readonly text: string }
  | { readonly kind: "paragraph"; readonly text: string }
  | { readonly kind: "list"; readonly items: readonly string[] }
  | { readonly kind: "code"; readonly text: string }
  | {
      readonly kind: "table";
      readonly header: readonly string[];
      /** Per column; numbers read best right-aligned. */
      readonly align: readonly ("left" | "right")[];
      readonly rows: readonly (readonly string[])[];
    }
  /** A plot written as plots/<name>.svg and plots/<name>.png. */
  | { readonly kind: "figure"; readonly name: string; readonly caption: string };

export function renderMarkdown(blocks: readonly Block[]): string {
  return `${blocks.map(markdownBlock).join("\n\n")}\n`;
}

function markdownBlock(block: Block): string {
  switch (block.kind) {
    case "heading":
      return `${"#".repeat(block.level)} ${block.text}`;
    case "paragraph":
      return block.text;
    case "list":
      return block.items.map((item) => `- ${item}`).join("\n");
    case "code": {
      const fence = block.text.includes("```") ? "~~~~" : "```";
      return `${fence}\n${block.text}\n${fence}`;
    }
    case "table": {
      const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");
      const line = (cells: readonly string[]) => `| ${cells.map(cell).join(" | ")} |`;
      const rule = `|${block.align.map((align) => (align === "right" ? "---:" : "---")).join("|")}|`;
      return [line(block.header), rule, ...block.rows.map(line)].join("\n");
    }
    case "figure":
      return `![${block.caption}](plots/${block.name}.png)\n\n${block.caption} ([SVG](plots/${block.name}.svg))`;
  }
}

/**
 * The page needs nothing from elsewhere: CSS inline, each figure's SVG inline (its
 * namespace declarations dropped, as HTML assigns SVG's namespace itself).
 */
export function renderHtml(
  title: string,
  blocks: readonly Block[],
  svgByName: ReadonlyMap<string, string>,
): string {
  const body = blocks.map((block) => htmlBlock(block, svgByName)).join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 72rem; margin: 2rem auto; padding: 0 1rem; color: #222; line-height: 1.45; }
.table { overflow-x: auto; margin: 1rem 0; }
table { border-collapse: collapse; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; vertical-align: top; }
td { white-space: nowrap; }
th { background: #f2f2f2; }
td.right, th.right { text-align: right; font-variant-numeric: tabular-nums; }
pre { background: #f6f6f6; padding: 0.75rem; overflow-x: auto; }
figure { margin: 1.5rem 0; }
figure svg { width: min(100%, 52rem); height: auto; }
figcaption { font-size: 0.9rem; color: #555; }
</style>
</head>
<body>
${body}
</body>
</html>
`;
}

function htmlBlock(block: Block, svgByName: ReadonlyMap<string, string>): string {
  switch (block.kind) {
    case "heading":
      return `<h${block.level}>${escapeHtml(block.text)}</h${block.level}>`;
    case "paragraph":
      return `<p>${escapeHtml(block.text)}</p>`;
    case "list":
      return `<ul>\n${block.items.map((item) => `<li>${escapeHtml(item)}</li>`).join("\n")}\n</ul>`;
    case "code":
      return `<pre><code>${escapeHtml(block.text)}</code></pre>`;
    case "table": {
      const cells = (tag: "th" | "td", values: readonly string[]) =>
        values
          .map((value, column) => {
            const align = block.align[column] === "right" ? ' class="right"' : "";
            return `<${tag}${align}>${escapeHtml(value)}</${tag}>`;
          })
          .join("");
      const rows = block.rows.map((row) => `<tr>${cells("td", row)}</tr>`).join("\n");
      return `<div class="table"><table>\n<thead><tr>${cells("th", block.header)}</tr></thead>\n<tbody>\n${rows}\n</tbody>\n</table></div>`;
    }
    case "figure": {
      const svg = svgByName.get(block.name);
      if (svg === undefined) throw new Error(`report figure ${block.name} was not rendered`);
      const inline = svg.replace(/\s+xmlns(:xlink)?="[^"]*"/g, "");
      return `<figure>\n${inline}\n<figcaption>${escapeHtml(block.caption)}</figcaption>\n</figure>`;
    }
  }
}

function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}
