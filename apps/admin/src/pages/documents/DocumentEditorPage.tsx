import { useCallback, useEffect, useMemo, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api, ApiError, errorMessage, type DocumentInput } from '../../lib/api';
import { useAuth } from '../../lib/auth';
import { formatRelative, parseTags, slugify } from '../../lib/format';
import { renderMarkdown } from '../../lib/markdown';
import {
  DOCUMENT_STATUSES,
  type DocumentStatus,
  type DocumentVersion,
  type KbDocument,
} from '../../lib/types';
import { Attachments } from '../../components/Attachments';
import { useAsync } from '../../lib/useAsync';
import { useUnsavedChanges } from '../../lib/useUnsavedChanges';
import { Badge, DocumentStatusBadge } from '../../ui/Badge';
import { Button } from '../../ui/Button';
import { Card } from '../../ui/Card';
import { Dialog } from '../../ui/Dialog';
import { SelectField, TextAreaField, TextField, toOptions } from '../../ui/Field';
import { PageHeader } from '../../ui/PageHeader';
import { ErrorState, InlineError, Loading } from '../../ui/States';
import { useToast } from '../../ui/Toast';
import { ConflictDialog } from './ConflictDialog';
import { CustomerPreview } from './CustomerPreview';
import { VersionHistory } from './VersionHistory';
import '../work.css';

interface FormState {
  title: string;
  slug: string;
  collection: string;
  tags: string;
  status: DocumentStatus;
  body: string;
}

const EMPTY: FormState = { title: '', slug: '', collection: '', tags: '', status: 'draft', body: '' };

const toForm = (doc: KbDocument): FormState => ({
  title: doc.title,
  slug: doc.slug,
  collection: doc.collection ?? '',
  tags: (doc.tags ?? []).join(', '),
  status: doc.status,
  body: doc.body ?? '',
});

function toInput(form: FormState): DocumentInput {
  return {
    title: form.title.trim(),
    body: form.body,
    tags: parseTags(form.tags),
    status: form.status,
    // Every field is sent, an emptied collection as null, so an overwrite after a conflict
    // stores exactly what is on screen and never keeps one of the other person's fields.
    collection: form.collection.trim() || null,
  };
}

function MarkdownPreview({ source }: { source: string }) {
  const html = useMemo(() => renderMarkdown(source), [source]);
  return (
    <Card title="Preview" className="preview-pane" flush>
      <div className="card-body markdown" data-testid="markdown-preview" aria-label="Preview" role="region">
        {source.trim() ? (
          <div dangerouslySetInnerHTML={{ __html: html }} />
        ) : (
          <p className="muted">Nothing to preview yet.</p>
        )}
      </div>
    </Card>
  );
}

export function DocumentEditorPage() {
  const { id } = useParams();
  const isNew = !id;
  const navigate = useNavigate();
  const toast = useToast();
  const { can } = useAuth();
  const canWrite = can('kb:write');

  const loaded = useAsync(() => (id ? api.getDocument(id) : Promise.resolve(null)), [id]);
  const [doc, setDoc] = useState<KbDocument | null>(null);
  const [form, setForm] = useState<FormState>(EMPTY);
  const [slugTouched, setSlugTouched] = useState(false);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [conflict, setConflict] = useState<{ theirs: KbDocument | null; error?: unknown } | null>(null);
  const [showHistory, setShowHistory] = useState(false);
  const [previewing, setPreviewing] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);

  const load = useCallback((d: KbDocument) => {
    setDoc(d);
    setForm(toForm(d));
    setError(null);
  }, []);

  useEffect(() => {
    if (loaded.data) load(loaded.data);
    else if (isNew) {
      setDoc(null);
      setForm(EMPTY);
    }
  }, [loaded.data, isNew, load]);

  const dirty = useMemo(() => {
    if (!doc) return Object.values(form).some((v) => v !== '' && v !== 'draft');
    const base = toForm(doc);
    return (Object.keys(base) as (keyof FormState)[]).some((k) => base[k] !== form[k]);
  }, [doc, form]);
  const unsaved = useUnsavedChanges(canWrite && dirty, 'your edits to this document');

  /** A save answered 409: fetch what the other person saved, so the dialog can show it. */
  const openConflict = async () => {
    if (!doc) return;
    try {
      setConflict({ theirs: await api.getDocument(doc.id) });
    } catch (err) {
      setConflict({ theirs: null, error: err });
    }
  };

  const update = <K extends keyof FormState>(key: K, value: FormState[K]) =>
    setForm((f) => {
      const next = { ...f, [key]: value };
      if (key === 'title' && isNew && !slugTouched) next.slug = slugify(String(value));
      return next;
    });

  const saveExisting = async (version: number) => {
    if (!doc) return;
    const saved = await api.updateDocument(doc.id, version, toInput(form));
    load(saved);
    toast.success(`Saved version ${saved.version}`);
  };

  const save = async () => {
    if (!canWrite || saving) return;
    if (!form.title.trim()) {
      setError('A title is required.');
      return;
    }
    setSaving(true);
    setError(null);
    try {
      if (isNew) {
        const created = await api.createDocument({
          ...toInput(form),
          slug: form.slug.trim() || slugify(form.title),
        });
        toast.success('Document created');
        unsaved.allowNavigation();
        navigate(`/documents/${created.id}`, { replace: true });
      } else if (doc) {
        await saveExisting(doc.version);
      }
    } catch (err) {
      if (err instanceof ApiError && err.status === 409 && !isNew) {
        await openConflict();
      } else {
        setError(err);
      }
    } finally {
      setSaving(false);
    }
  };

  const reloadTheirs = async () => {
    if (!doc) return;
    setSaving(true);
    try {
      load(await api.getDocument(doc.id));
      setConflict(null);
      toast.show('Loaded the latest version');
    } catch (err) {
      setError(err);
      setConflict(null);
    } finally {
      setSaving(false);
    }
  };

  const overwrite = async () => {
    if (!doc || !conflict) return;
    setSaving(true);
    try {
      const version = conflict.theirs?.version ?? (await api.getDocument(doc.id)).version;
      await saveExisting(version);
      setConflict(null);
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        await openConflict();
      } else {
        setConflict(null);
        setError(err);
      }
    } finally {
      setSaving(false);
    }
  };

  const restore = async (v: DocumentVersion) => {
    if (!doc) return;
    try {
      const saved = await api.updateDocument(doc.id, doc.version, {
        title: v.title,
        body: v.body,
        tags: v.tags ?? [],
        status: v.status,
      });
      load(saved);
      toast.success(`Restored version ${v.version} as version ${saved.version}`);
    } catch (err) {
      toast.error(errorMessage(err));
      if (err instanceof ApiError && err.status === 409) load(await api.getDocument(doc.id));
    }
  };

  const remove = async () => {
    if (!doc) return;
    try {
      await api.deleteDocument(doc.id);
      toast.success(`Deleted “${doc.title}”`);
      unsaved.allowNavigation();
      navigate('/documents');
    } catch (err) {
      setConfirmDelete(false);
      setError(err);
    }
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.metaKey || e.ctrlKey) && e.key.toLowerCase() === 's') {
        e.preventDefault();
        void save();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  if (!isNew && loaded.error) {
    return <ErrorState error={loaded.error} onRetry={loaded.reload} title="Couldn’t open this document" />;
  }
  if (!isNew && !doc) return <Loading label="Loading document…" />;

  return (
    <>
      <PageHeader
        breadcrumb={<Link to="/documents">Documents</Link>}
        title={isNew ? 'New document' : doc?.title || 'Untitled'}
        description={
          doc && (
            <span className="row">
              <DocumentStatusBadge status={doc.status} />
              <span data-testid="document-version">Version {doc.version}</span>
              <span>· updated {formatRelative(doc.updatedAt)}</span>
              {dirty && <Badge tone="warning">Unsaved changes</Badge>}
            </span>
          )
        }
        actions={
          <>
            <Button onClick={() => setPreviewing(true)} disabled={!form.title.trim()}>
              Customer view
            </Button>
            {!isNew && (
              <Button aria-expanded={showHistory} onClick={() => setShowHistory((s) => !s)}>
                {showHistory ? 'Hide history' : 'History'}
              </Button>
            )}
            {!isNew && canWrite && (
              <Button variant="ghost" onClick={() => setConfirmDelete(true)}>
                Delete
              </Button>
            )}
            {canWrite && (
              <Button variant="primary" onClick={save} loading={saving} disabled={!isNew && !dirty}>
                {isNew ? 'Create document' : 'Save'}
              </Button>
            )}
          </>
        }
      />
      <div className="stack">
        <InlineError error={error} />
        {showHistory && doc && (
          <VersionHistory
            documentId={doc.id}
            currentVersion={doc.version}
            canRestore={canWrite}
            onRestore={restore}
          />
        )}
        <Card>
          <form
            className="stack"
            onSubmit={(e) => {
              e.preventDefault();
              void save();
            }}
          >
            <div className="meta-grid">
              <TextField
                label="Title"
                value={form.title}
                onChange={(e) => update('title', e.target.value)}
                readOnly={!canWrite}
                required
              />
              <TextField
                label="Slug"
                value={form.slug}
                onChange={(e) => {
                  setSlugTouched(true);
                  update('slug', e.target.value);
                }}
                readOnly={!isNew || !canWrite}
                className="mono"
                hint={isNew ? 'Used in links; cannot be changed later.' : undefined}
              />
              <TextField
                label="Collection"
                value={form.collection}
                onChange={(e) => update('collection', e.target.value)}
                readOnly={!canWrite}
              />
              <SelectField
                label="Status"
                value={form.status}
                onChange={(e) => update('status', e.target.value as DocumentStatus)}
                options={toOptions(DOCUMENT_STATUSES)}
                disabled={!canWrite}
              />
            </div>
            <TextField
              label="Tags"
              value={form.tags}
              onChange={(e) => update('tags', e.target.value)}
              hint="Separate tags with commas."
              readOnly={!canWrite}
            />
          </form>
        </Card>
        <div className="editor-grid">
          <Card title="Markdown" flush>
            <div className="card-body">
              <TextAreaField
                label="Body"
                hideLabel
                className="mono editor-body"
                value={form.body}
                onChange={(e) => update('body', e.target.value)}
                readOnly={!canWrite}
                spellCheck
                placeholder={'# Heading\n\nWrite the article in Markdown…'}
              />
            </div>
          </Card>
          <MarkdownPreview source={form.body} />
        </div>
        {doc && <Attachments target={{ kind: 'document', id: doc.id }} canWrite={canWrite} />}
      </div>
      <CustomerPreview
        open={previewing}
        onClose={() => setPreviewing(false)}
        input={{
          title: form.title,
          body: form.body,
          slug: form.slug || undefined,
          tags: parseTags(form.tags),
          collection: form.collection.trim() || null,
        }}
      />
      {doc && (
        <ConflictDialog
          open={!!conflict}
          base={doc}
          theirs={conflict?.theirs ?? null}
          loadError={conflict?.error}
          mine={toInput(form)}
          busy={saving}
          onCancel={() => setConflict(null)}
          onReload={reloadTheirs}
          onOverwrite={overwrite}
        />
      )}
      {unsaved.prompt}
      <Dialog
        open={confirmDelete}
        title="Delete this document?"
        onClose={() => setConfirmDelete(false)}
        footer={
          <>
            <Button onClick={() => setConfirmDelete(false)}>Cancel</Button>
            <Button variant="danger" onClick={remove}>
              Delete document
            </Button>
          </>
        }
      >
        <p style={{ margin: 0 }}>
          “{doc?.title}” will be removed from the knowledge base and from search results.
        </p>
      </Dialog>
    </>
  );
}
