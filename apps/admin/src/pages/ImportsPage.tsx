import { useEffect, useRef, useState, type DragEvent } from 'react';
import { Link } from 'react-router-dom';
import { api, errorMessage } from '../lib/api';
import type { Job } from '../lib/types';
import { Badge } from '../ui/Badge';
import { Button } from '../ui/Button';
import { Card } from '../ui/Card';
import { PageHeader } from '../ui/PageHeader';
import { InlineError } from '../ui/States';
import { Table } from '../ui/Table';

const POLL_MS = 500;
const isJson = (f: File) => /\.json$/i.test(f.name) || f.type === 'application/json';
const isMarkdown = (f: File) => /\.(md|markdown|mdx)$/i.test(f.name);

async function buildPayload(files: File[]): Promise<{ documents: unknown[] } | FormData> {
  const json = files.filter(isJson);
  const markdown = files.filter(isMarkdown);
  if (json.length && markdown.length)
    throw new Error('Choose either Markdown files or one JSON file, not both.');
  if (json.length > 1) throw new Error('Choose a single JSON file.');
  if (json.length === 1) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await json[0].text());
    } catch {
      throw new Error(`${json[0].name} is not valid JSON.`);
    }
    if (Array.isArray(parsed)) return { documents: parsed };
    if (
      parsed &&
      typeof parsed === 'object' &&
      Array.isArray((parsed as { documents?: unknown }).documents)
    ) {
      return parsed as { documents: unknown[] };
    }
    throw new Error('The JSON file must contain {"documents": [...]} or an array of documents.');
  }
  if (!markdown.length) throw new Error('Choose .md files or a .json export.');
  const form = new FormData();
  for (const file of markdown) form.append('files', file, file.name);
  return form;
}

function JobProgress({ job }: { job: Job }) {
  const done = job.state === 'completed';
  const failed = job.state === 'failed';
  const progress = Math.max(0, Math.min(100, Math.round(job.progress ?? 0)));
  const stateTone = done ? 'success' : failed ? 'danger' : job.state === 'running' ? 'info' : 'neutral';
  return (
    <Card
      title="Import progress"
      actions={<Badge tone={stateTone}>{job.state}</Badge>}
      data-testid="import-job"
    >
      <div className="stack">
        <div
          className={`progress${done ? ' done' : failed ? ' failed' : ''}`}
          role="progressbar"
          aria-label="Import progress"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={progress}
        >
          <div style={{ width: `${done ? 100 : progress}%` }} />
        </div>
        <div className="small muted" aria-live="polite">
          {done ? 'Import finished.' : failed ? 'Import failed.' : `${progress}% · ${job.state}`}
        </div>
        {failed && job.lastError && <InlineError error={job.lastError} />}
        {job.result && (
          <>
            <div className="stat-grid" data-testid="import-result">
              <div className="card stat">
                <div className="label">Created</div>
                <div className="value" data-testid="import-created">
                  {job.result.created}
                </div>
              </div>
              <div className="card stat">
                <div className="label">Updated</div>
                <div className="value" data-testid="import-updated">
                  {job.result.updated}
                </div>
              </div>
              <div className="card stat">
                <div className="label">Unchanged</div>
                <div className="value" data-testid="import-unchanged">
                  {job.result.unchanged}
                </div>
              </div>
              <div className={`card stat${job.result.failed ? ' alert' : ''}`}>
                <div className="label">Failed</div>
                <div className="value" data-testid="import-failed">
                  {job.result.failed}
                </div>
              </div>
            </div>
            {job.result.failures.length > 0 && (
              <Table caption="Items that failed to import" testId="import-failures">
                <thead>
                  <tr>
                    <th>Item</th>
                    <th>Reason</th>
                  </tr>
                </thead>
                <tbody>
                  {job.result.failures.map((e, i) => (
                    <tr key={i}>
                      <td className="mono small">{e.item}</td>
                      <td>{e.reason}</td>
                    </tr>
                  ))}
                </tbody>
              </Table>
            )}
            {done && <Link to="/documents">View documents</Link>}
          </>
        )}
      </div>
    </Card>
  );
}

export function ImportsPage() {
  const [files, setFiles] = useState<File[]>([]);
  const [job, setJob] = useState<Job | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [dragOver, setDragOver] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  const running = !!job && (job.state === 'queued' || job.state === 'running');

  useEffect(() => {
    if (!job || !running) return;
    const t = setTimeout(async () => {
      try {
        setJob(await api.getJob(job.id));
      } catch (err) {
        setError(err);
        setJob((j) => (j ? { ...j, state: 'failed', lastError: errorMessage(err) } : j));
      }
    }, POLL_MS);
    return () => clearTimeout(t);
  }, [job, running]);

  const start = async () => {
    setError(null);
    setBusy(true);
    try {
      const payload = await buildPayload(files);
      setJob(await api.importDocuments(payload));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragOver(false);
    setFiles(Array.from(e.dataTransfer.files));
  };

  return (
    <>
      <PageHeader title="Imports" description="Bring articles in from Markdown files or a JSON export." />
      <div className="stack">
        <Card title="Upload">
          <div className="stack">
            <div
              className={`dropzone${dragOver ? ' over' : ''}`}
              onDragOver={(e) => {
                e.preventDefault();
                setDragOver(true);
              }}
              onDragLeave={() => setDragOver(false)}
              onDrop={onDrop}
            >
              <div className="stack-sm" style={{ alignItems: 'center' }}>
                <label htmlFor="import-files" className="field-label">
                  Files
                </label>
                <input
                  id="import-files"
                  ref={inputRef}
                  type="file"
                  multiple
                  accept=".md,.markdown,.json,text/markdown,application/json"
                  onChange={(e) => setFiles(Array.from(e.target.files ?? []))}
                  aria-describedby="import-help"
                />
                <span id="import-help" className="small muted">
                  Drop .md files (front matter sets title, slug, tags) or one .json file with{' '}
                  <code>{'{"documents": [...]}'}</code>.
                </span>
              </div>
            </div>
            {files.length > 0 && (
              <ul className="small" style={{ margin: 0 }} aria-label="Selected files">
                {files.map((f) => (
                  <li key={f.name}>
                    {f.name} <span className="muted">({Math.max(1, Math.round(f.size / 1024))} KB)</span>
                  </li>
                ))}
              </ul>
            )}
            <InlineError error={error} />
            <div className="row">
              <Button variant="primary" onClick={start} disabled={!files.length || running} loading={busy}>
                Start import
              </Button>
              {files.length > 0 && !running && (
                <Button
                  variant="ghost"
                  onClick={() => {
                    setFiles([]);
                    if (inputRef.current) inputRef.current.value = '';
                  }}
                >
                  Clear
                </Button>
              )}
            </div>
          </div>
        </Card>
        {job && <JobProgress job={job} />}
      </div>
    </>
  );
}
