import { FrontMatterError, FrontMatterParser, splitFrontMatter } from './front-matter';
import type { ImportDocument, ImportFailure } from '@app/jobs';

export interface ParsedImport {
  documents: ImportDocument[];
  rejected: ImportFailure[];
}

const slugify = (s: string): string =>
  s
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 120)
    .replace(/-+$/, '');

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/**
 * One Markdown file whose front matter (`slug`, `title`, `tags`, `collection`, `status`) is already
 * parsed. The slug defaults to the file name; the title to the first `# heading`, then to the file
 * name.
 */
export function toImportDocument(
  fileName: string,
  fm: Record<string, unknown>,
  content: string,
): ImportDocument {
  const base = fileName.replace(/^.*[\\/]/, '').replace(/\.(md|markdown|mdx|txt)$/i, '');
  let body = content.replace(/^\s*\n/, '');
  let title = str(fm.title);
  if (!title) {
    const h = /^#\s+(.+?)\s*#*\s*$/m.exec(body);
    if (h && body.trimStart().startsWith('#')) {
      title = h[1];
      body = body.replace(h[0], '').replace(/^\s*\n/, '');
    }
  }
  const scalar = (t: unknown) => typeof t === 'string' || typeof t === 'number' || typeof t === 'boolean';
  const tags = Array.isArray(fm.tags)
    ? fm.tags.filter(scalar).map(String)
    : typeof fm.tags === 'string'
      ? fm.tags
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean)
      : undefined;
  const doc: ImportDocument = {
    slug: str(fm.slug) ?? slugify(base),
    title: title ?? base,
    body,
  };
  if (tags) doc.tags = tags;
  if (str(fm.collection)) doc.collection = str(fm.collection);
  if (str(fm.status)) doc.status = str(fm.status) as ImportDocument['status'];
  return doc;
}

/**
 * Markdown files with optional YAML front matter. Front matter is parsed as YAML only, off the
 * event loop and within limits (see `front-matter.ts`); a file whose front matter is not safe YAML
 * becomes a `rejected` item of the job's result with the reason.
 */
export async function parseMarkdownFiles(files: { name: string; text: string }[]): Promise<ParsedImport> {
  const out: ParsedImport = { documents: [], rejected: [] };
  const parser = new FrontMatterParser();
  try {
    for (const f of files) {
      try {
        const { yaml, body } = splitFrontMatter(f.text);
        const fm = yaml === null ? {} : await parser.parse(yaml);
        out.documents.push(toImportDocument(f.name, fm, body));
      } catch (e) {
        if (!(e instanceof FrontMatterError)) throw e;
        out.rejected.push({ item: f.name, reason: e.message });
      }
    }
  } finally {
    await parser.close();
  }
  return out;
}

/** A JSON export: `{"documents": [...]}` or a bare array. Items that are not objects are rejected. */
export function parseJsonImport(value: unknown): ParsedImport {
  const list = Array.isArray(value) ? value : (value as { documents?: unknown })?.documents;
  if (!Array.isArray(list)) throw new Error('expected {"documents": [...]}');
  const out: ParsedImport = { documents: [], rejected: [] };
  list.forEach((d, i) => {
    if (d && typeof d === 'object' && !Array.isArray(d)) out.documents.push(d as ImportDocument);
    else out.rejected.push({ item: `#${i + 1}`, reason: 'is not an object' });
  });
  return out;
}

/**
 * The one reader of uploaded files, shared by REST (multipart) and the CLI: a `.json` file is a
 * JSON export, any other file Markdown with optional front matter. A file that cannot be read
 * becomes a `rejected` item naming it; the order of the documents is the order of the files.
 */
export async function parseUploads(files: { name: string; text: string }[]): Promise<ParsedImport> {
  const out: ParsedImport = { documents: [], rejected: [] };
  const markdown: { name: string; text: string }[] = [];
  for (const f of files) {
    if (!/\.json$/i.test(f.name)) {
      markdown.push(f);
      continue;
    }
    try {
      const parsed = parseJsonImport(JSON.parse(f.text));
      out.documents.push(...parsed.documents);
      out.rejected.push(...parsed.rejected);
    } catch (e) {
      out.rejected.push({ item: f.name, reason: `not a JSON export: ${(e as Error).message}` });
    }
  }
  const md = await parseMarkdownFiles(markdown);
  return { documents: [...out.documents, ...md.documents], rejected: [...out.rejected, ...md.rejected] };
}
