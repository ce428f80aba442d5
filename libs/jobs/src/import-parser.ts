import matter from 'gray-matter';
import type { ImportDocument, ImportFailure } from './queues';

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
 * One Markdown file with optional YAML front matter (`slug`, `title`, `tags`, `collection`,
 * `status`). The slug defaults to the file name; the title to the first `# heading`, then to
 * the file name.
 */
export function parseMarkdownFile(fileName: string, text: string): ImportDocument {
  const parsed = matter(text);
  const fm = parsed.data as Record<string, unknown>;
  const base = fileName.replace(/^.*[\\/]/, '').replace(/\.(md|markdown|mdx|txt)$/i, '');
  let body = parsed.content.replace(/^\s*\n/, '');
  let title = str(fm.title);
  if (!title) {
    const h = /^#\s+(.+?)\s*#*\s*$/m.exec(body);
    if (h && body.trimStart().startsWith('#')) {
      title = h[1];
      body = body.replace(h[0], '').replace(/^\s*\n/, '');
    }
  }
  const tags = Array.isArray(fm.tags)
    ? fm.tags.map(String)
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

/** Markdown files: the ones that do not parse become `rejected` items of the job's result. */
export function parseMarkdownFiles(files: { name: string; text: string }[]): ParsedImport {
  const out: ParsedImport = { documents: [], rejected: [] };
  for (const f of files) {
    try {
      out.documents.push(parseMarkdownFile(f.name, f.text));
    } catch (e) {
      out.rejected.push({
        item: f.name,
        reason: `front matter does not parse: ${(e as Error).message.split('\n')[0]}`,
      });
    }
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
