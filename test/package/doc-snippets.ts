import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

/** A ```ts block of the README or docs/: where it is, its code, and whether it is a fragment. */
export interface DocSnippet {
  /** e.g. "docs/models.md" */
  readonly file: string;
  /** 1-based line of the block's first code line. */
  readonly line: number;
  readonly code: string;
  /** The reason given in `<!-- fragment: reason -->` on the line before the fence, else null. */
  readonly fragment: string | null;
}

const FRAGMENT = /^<!-- fragment: (.+) -->$/;

/** Every ```ts block of README.md and docs/ (recursively), in file order. */
export function docSnippets(root: string): DocSnippet[] {
  const files = [join(root, "README.md"), ...markdownUnder(join(root, "docs"))];
  return files.flatMap((path) => snippetsOf(relative(root, path), readFileSync(path, "utf8")));
}

function markdownUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return markdownUnder(path);
      return entry.name.endsWith(".md") ? [path] : [];
    });
}

function snippetsOf(file: string, text: string): DocSnippet[] {
  const lines = text.split("\n");
  const snippets: DocSnippet[] = [];
  for (let index = 0; index < lines.length; index++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[index] as string)) continue;
    const end = lines.findIndex((line, at) => at > index && line.startsWith("```"));
    if (end < 0) throw new Error(`${file}:${index + 1}: a code block that never ends`);
    snippets.push({
      file,
      line: index + 2,
      code: lines.slice(index + 1, end).join("\n"),
      fragment: FRAGMENT.exec(lines[index - 1] ?? "")?.[1] ?? null,
    });
    index = end;
  }
  return snippets;
}
