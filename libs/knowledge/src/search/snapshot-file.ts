import { open, readFile, rename, unlink } from 'node:fs/promises';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { IndexState } from './search-index';

/**
 * The search index's snapshot file: a small JSON header, then sections of raw little-endian
 * typed arrays (8-byte aligned) and of newline-separated JSON string slices. Written without
 * blocking the event loop (strings encoded a slice at a time with a yield between, postings
 * gathered a slice at a time, every write asynchronous), read with one file read and typed-array
 * views on it (no per-posting decoding).
 */
const MAGIC = 'CDSIDX02';
/** Strings per JSON slice, postings per copy step: each step is well under a millisecond. */
const STRING_SLICE = 20_000;
const COPY_SLICE = 1 << 20;

type Typed = Int32Array | Uint16Array | Uint8Array | Float32Array;
const KINDS = { i32: Int32Array, u16: Uint16Array, u8: Uint8Array, f32: Float32Array } as const;
type Kind = keyof typeof KINDS;
const kindOf = (a: Typed): Kind =>
  a instanceof Int32Array ? 'i32' : a instanceof Uint16Array ? 'u16' : a instanceof Uint8Array ? 'u8' : 'f32';

interface Section {
  name: string;
  kind: Kind | 'json';
  offset: number;
  bytes: number;
}

interface Header<M> {
  meta: M;
  format: number;
  scalars: IndexState['scalars'];
  sections: Section[];
}

const STRING_NAMES = ['vocabulary', 'docIds', 'docCollection', 'docTags', 'deleted'] as const;
const pad8 = (n: number) => (n + 7) & ~7;

/** Writes a snapshot to `path` (a temporary file, then a rename: never half a file). */
export async function writeSnapshotFile<M>(path: string, meta: M, state: IndexState): Promise<void> {
  const bodies: { name: string; kind: Kind | 'json'; data: Uint8Array }[] = [];
  for (const name of STRING_NAMES) {
    const list: unknown[] = state.strings[name];
    const parts: string[] = [];
    for (let i = 0; i < list.length || i === 0; i += STRING_SLICE) {
      parts.push(JSON.stringify(list.slice(i, i + STRING_SLICE)));
      await yieldToLoop();
    }
    bodies.push({ name, kind: 'json', data: Buffer.from(parts.join('\n'), 'utf8') });
  }
  for (const [name, a] of Object.entries(state.arrays) as [string, Typed][])
    bodies.push({ name, kind: kindOf(a), data: new Uint8Array(a.buffer, a.byteOffset, a.byteLength) });
  // Postings: every term's list, one after another (their counts are in arrays.postCount).
  const total = state.arrays.postCount.reduce((s, n) => s + n, 0);
  const chunk = new Int32Array(total);
  const tf = new Uint16Array(total);
  let at = 0;
  let sinceYield = 0;
  for (let t = 0; t < state.postings.chunk.length; t++) {
    chunk.set(state.postings.chunk[t], at);
    tf.set(state.postings.tf[t], at);
    at += state.postings.chunk[t].length;
    sinceYield += state.postings.chunk[t].length;
    if (sinceYield >= COPY_SLICE) {
      sinceYield = 0;
      await yieldToLoop();
    }
  }
  bodies.push({ name: 'postChunk', kind: 'i32', data: new Uint8Array(chunk.buffer) });
  bodies.push({ name: 'postTf', kind: 'u16', data: new Uint8Array(tf.buffer) });

  const sections: Section[] = [];
  let offset = 0;
  for (const b of bodies) {
    sections.push({ name: b.name, kind: b.kind, offset, bytes: b.data.byteLength });
    offset = pad8(offset + b.data.byteLength);
  }
  const header: Header<M> = { meta, format: state.format, scalars: state.scalars, sections };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(pad8(MAGIC.length + 4 + headerBytes.length));
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(headerBytes.length, MAGIC.length);
  headerBytes.copy(prefix, MAGIC.length + 4);

  const tmp = `${path}.${process.pid}.tmp`;
  const fh = await open(tmp, 'w', 0o600);
  try {
    let pos = 0;
    const put = async (data: Uint8Array) => {
      for (let o = 0; o < data.byteLength;) {
        const { bytesWritten } = await fh.write(data, o, Math.min(data.byteLength - o, 8 << 20), pos);
        o += bytesWritten;
        pos += bytesWritten;
      }
    };
    await put(prefix);
    const base = prefix.length;
    for (let i = 0; i < bodies.length; i++) {
      pos = base + sections[i].offset;
      await put(bodies[i].data);
    }
    await fh.sync();
  } catch (e) {
    await fh.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  await fh.close();
  await rename(tmp, path).catch(async (e) => {
    await unlink(tmp).catch(() => undefined);
    throw e;
  });
}

/** Reads a snapshot: its meta and the index state, or null when the file is not one of ours. */
export async function readSnapshotFile<M>(path: string): Promise<{ meta: M; state: IndexState } | null> {
  let buf: Uint8Array = await readFile(path);
  if (
    buf.byteLength < MAGIC.length + 4 ||
    Buffer.from(buf.subarray(0, MAGIC.length)).toString('latin1') !== MAGIC
  )
    return null;
  // Typed-array views need their element alignment: a pooled small buffer may not have it.
  if (buf.byteOffset % 8) buf = new Uint8Array(buf);
  const view = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const headerLen = view.readUInt32LE(MAGIC.length);
  const header = JSON.parse(
    view.toString('utf8', MAGIC.length + 4, MAGIC.length + 4 + headerLen),
  ) as Header<M>;
  const base = pad8(MAGIC.length + 4 + headerLen);
  const section = (name: string) => {
    const s = header.sections.find((x) => x.name === name);
    if (!s || base + s.offset + s.bytes > buf.byteLength) throw new Error(`snapshot section ${name} missing`);
    return s;
  };
  const typed = (name: string): Typed => {
    const s = section(name);
    if (s.kind === 'json') throw new Error(`snapshot section ${name} is not an array`);
    const T = KINDS[s.kind];
    return new T(buf.buffer as ArrayBuffer, buf.byteOffset + base + s.offset, s.bytes / T.BYTES_PER_ELEMENT);
  };
  const strings = (name: string): unknown[] => {
    const s = section(name);
    const text = view.toString('utf8', base + s.offset, base + s.offset + s.bytes);
    return text.split('\n').flatMap((line) => JSON.parse(line) as unknown[]);
  };
  const arrays = Object.fromEntries(
    header.sections
      .filter((s) => s.kind !== 'json' && !s.name.startsWith('post'))
      .map((s) => [s.name, typed(s.name)]),
  ) as IndexState['arrays'];
  arrays.postCount = typed('postCount') as Int32Array<ArrayBuffer>;
  const postChunk = typed('postChunk') as Int32Array;
  const postTf = typed('postTf') as Uint16Array;
  const chunk: Int32Array[] = new Array(arrays.postCount.length);
  const tf: Uint16Array[] = new Array(arrays.postCount.length);
  for (let t = 0, at = 0; t < arrays.postCount.length; t++) {
    const n = arrays.postCount[t];
    chunk[t] = postChunk.subarray(at, at + n);
    tf[t] = postTf.subarray(at, at + n);
    at += n;
  }
  const state: IndexState = {
    format: header.format,
    strings: {
      vocabulary: strings('vocabulary') as string[],
      docIds: strings('docIds') as string[],
      docCollection: strings('docCollection') as (string | null)[],
      docTags: strings('docTags') as string[][],
      deleted: strings('deleted') as string[],
    },
    postings: { chunk, tf },
    arrays,
    scalars: header.scalars,
  };
  return { meta: header.meta, state };
}
