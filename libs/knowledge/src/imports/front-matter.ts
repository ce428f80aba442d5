import { Worker } from 'node:worker_threads';

/**
 * Front matter of imported Markdown is hostile input: it is parsed as YAML only (the `yaml`
 * package, core schema, no custom tags, no merge keys, few aliases), never evaluated. Any other
 * fence language (`---js`, `---coffee`, ...) fails the file with a reason. Parsing runs in a worker
 * thread with a memory cap and a time budget, so no front matter can block the server's event loop
 * or exhaust its heap.
 */
export const FRONT_MATTER_LIMITS = {
  /** Bytes of YAML between the fences. */
  maxBytes: 16 * 1024,
  /** Nesting of flow collections (`[`/`{`) and of the parsed value. */
  maxDepth: 16,
  /** Alias resolutions (yaml's `maxAliasCount`: stops "billion laughs" expansion). */
  maxAliasCount: 20,
  /** Wall-clock budget for one file's front matter in the worker. */
  timeoutMs: 5000,
  /** Heap of the parsing worker. */
  workerHeapMb: 64,
} as const;

export class FrontMatterError extends Error {}

export interface SplitMarkdown {
  /** The YAML text between the fences, or null when the file has no front matter. */
  yaml: string | null;
  body: string;
}

const OPEN = /^\uFEFF?---[ \t]*([^\r\n]*?)[ \t]*\r?\n/;
/** The closing fence: a line (split on \n) that is `---`, trailing blanks and one \r allowed. */
const CLOSE = /(^|\n)---[ \t]*\r?(?=\n|$)/;

/**
 * Splits `---\n<yaml>\n---\n<body>`. A first line of `---yaml`/`---yml` is YAML too; any other
 * language after the opening fence is refused. No closing fence: the whole text is the body.
 * One native regex search finds the closing fence (linear, no per-line work on the event loop,
 * even for a 2 MiB file of short lines).
 */
export function splitFrontMatter(text: string): SplitMarkdown {
  const open = OPEN.exec(text);
  if (!open) return { yaml: null, body: text };
  const lang = open[1].toLowerCase();
  const rest = text.slice(open[0].length);
  const close = CLOSE.exec(rest);
  if (!close) return { yaml: null, body: text };
  const end = close.index + close[1].length;
  if (lang !== '' && lang !== 'yaml' && lang !== 'yml')
    throw new FrontMatterError(`front matter language "${lang.slice(0, 20)}" is not supported (YAML only)`);
  const yaml = rest.slice(0, end);
  const after = rest.indexOf('\n', end);
  return { yaml, body: after < 0 ? '' : rest.slice(after + 1) };
}

/** Cheap checks before the YAML parser sees the text. */
export function precheckFrontMatter(yaml: string): void {
  if (Buffer.byteLength(yaml, 'utf8') > FRONT_MATTER_LIMITS.maxBytes)
    throw new FrontMatterError(`front matter is larger than ${FRONT_MATTER_LIMITS.maxBytes} bytes`);
  let depth = 0;
  for (let i = 0; i < yaml.length; i++) {
    const c = yaml.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) {
      if (++depth > FRONT_MATTER_LIMITS.maxDepth)
        throw new FrontMatterError(`front matter nests deeper than ${FRONT_MATTER_LIMITS.maxDepth} levels`);
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
}

/** Checks the parsed value: a mapping (or nothing) no deeper than the limit. */
export function checkFrontMatterValue(value: unknown): Record<string, unknown> {
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw new FrontMatterError('front matter must be a YAML mapping (key: value lines)');
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (d > FRONT_MATTER_LIMITS.maxDepth)
      throw new FrontMatterError(`front matter nests deeper than ${FRONT_MATTER_LIMITS.maxDepth} levels`);
    if (v && typeof v === 'object') for (const c of Object.values(v)) stack.push([c, d + 1]);
  }
  return value as Record<string, unknown>;
}

// The worker is plain JavaScript so that it runs the same from compiled output and under Jest.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const YAML = require(workerData.yamlPath);
const opts = {
  schema: 'core', customTags: [], merge: false, uniqueKeys: true, strict: true,
  maxAliasCount: workerData.maxAliasCount, prettyErrors: false,
};
const first = (list) => String(list[0].message).split('\\n')[0];
parentPort.on('message', ({ id, text }) => {
  try {
    const doc = YAML.parseDocument(text, opts);
    if (doc.errors.length) return parentPort.postMessage({ id, error: first(doc.errors) });
    if (doc.warnings.length) return parentPort.postMessage({ id, error: first(doc.warnings) });
    const value = doc.toJS({ maxAliasCount: workerData.maxAliasCount });
    parentPort.postMessage({ id, value: value === undefined ? null : value });
  } catch (e) {
    parentPort.postMessage({ id, error: String((e && e.message) || e).split('\\n')[0] });
  }
});
`;

type Reply = { id: number; value?: unknown; error?: string };

let inFlight = 0;

/**
 * Front matter texts being parsed in worker threads right now (in this process). Lets a test
 * observe that the event loop answers requests while a parse is running.
 */
export const frontMatterParsesInFlight = (): number => inFlight;

/**
 * Parses many YAML texts in one worker thread, one at a time. A text that overruns the time budget
 * (or kills the worker by exhausting its heap) fails alone; the worker is replaced for the rest.
 */
export class FrontMatterParser {
  private worker: Worker | null = null;
  private seq = 0;

  async parse(yaml: string): Promise<Record<string, unknown>> {
    precheckFrontMatter(yaml);
    const value = await this.run(yaml);
    return checkFrontMatterValue(value);
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }

  private spawn(): Worker {
    const w = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { yamlPath: require.resolve('yaml'), maxAliasCount: FRONT_MATTER_LIMITS.maxAliasCount },
      resourceLimits: {
        maxOldGenerationSizeMb: FRONT_MATTER_LIMITS.workerHeapMb,
        maxYoungGenerationSizeMb: 16,
        stackSizeMb: 4,
      },
    });
    w.unref();
    return w;
  }

  private run(text: string): Promise<unknown> {
    const w = (this.worker ??= this.spawn());
    const id = ++this.seq;
    inFlight++;
    return new Promise((resolve, reject) => {
      let settled = false;
      const done = (fn: () => void) => {
        if (settled) return;
        settled = true;
        inFlight--;
        clearTimeout(timer);
        w.off('message', onMessage);
        w.off('error', onError);
        w.off('exit', onExit);
        fn();
      };
      const fail = (reason: string) => {
        if (this.worker === w) this.worker = null;
        void w.terminate();
        done(() => reject(new FrontMatterError(reason)));
      };
      const onMessage = (m: Reply) => {
        if (m.id !== id) return;
        done(() =>
          m.error !== undefined
            ? reject(new FrontMatterError(`front matter is not valid YAML: ${m.error}`))
            : resolve(m.value),
        );
      };
      const onError = (e: Error) => fail(`front matter could not be parsed: ${e.message.split('\n')[0]}`);
      const onExit = () => fail('front matter could not be parsed: the parser ran out of memory');
      const timer = setTimeout(
        () => fail(`front matter took longer than ${FRONT_MATTER_LIMITS.timeoutMs} ms to parse`),
        FRONT_MATTER_LIMITS.timeoutMs,
      );
      w.on('message', onMessage);
      w.on('error', onError);
      w.on('exit', onExit);
      w.postMessage({ id, text });
    });
  }
}
