import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { api, errorMessage } from '../../lib/api';
import { useAsync } from '../../lib/useAsync';
import type { TicketComment } from '../../lib/types';
import { Button } from '../../ui/Button';
import { Card } from '../../ui/Card';
import { Checkbox, SelectField, TextAreaField } from '../../ui/Field';
import { InlineError } from '../../ui/States';

export interface InsertRequest {
  text: string;
  seq: number;
}

/** Saved replies: pick one, and it is filled in for this ticket and inserted at the cursor. */
function MacroPicker({ number, onInsert }: { number: number; onInsert: (text: string) => void }) {
  const macros = useAsync(() => api.listMacros(), []);
  const [id, setId] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const items = macros.data?.items ?? [];

  const insert = async () => {
    if (!id) return;
    setBusy(true);
    setError('');
    try {
      onInsert((await api.renderMacro(id, number)).body);
      setId('');
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="macro-picker">
      <SelectField
        label="Saved reply"
        value={id}
        onChange={(e) => setId(e.target.value)}
        options={[
          { value: '', label: items.length ? 'Choose a saved reply…' : 'No saved replies yet' },
          ...items.map((m) => ({ value: m.id, label: m.name })),
        ]}
        disabled={!items.length}
      />
      <Button size="sm" onClick={insert} disabled={!id} loading={busy}>
        Insert
      </Button>
      <Link to="/macros" className="small">
        Manage saved replies
      </Link>
      {error && (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

export function ReplyBox({
  number,
  onPosted,
  insert,
  onInsert,
}: {
  number: number;
  onPosted: (c: TicketComment) => void;
  /** Text to add at the cursor (an article link, a saved reply); a new seq inserts again. */
  insert?: InsertRequest | null;
  /** Asks for text to be inserted (a saved reply picked here). */
  onInsert?: (text: string) => void;
}) {
  const [body, setBody] = useState('');
  const area = useRef<HTMLTextAreaElement | null>(null);

  useEffect(() => {
    if (!insert) return;
    const el = area.current ?? (document.getElementById('ticket-reply') as HTMLTextAreaElement | null);
    setBody((current) => {
      const at = el && document.activeElement === el ? el.selectionStart : current.length;
      const before = current.slice(0, at);
      const sep = before && !/\s$/.test(before) ? ' ' : '';
      return `${before}${sep}${insert.text}${current.slice(at)}`;
    });
    el?.focus();
  }, [insert]);
  const [internal, setInternal] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (e?: FormEvent) => {
    e?.preventDefault();
    if (!body.trim()) return;
    setBusy(true);
    setError(null);
    try {
      const comment = await api.addComment(number, body.trim(), internal);
      setBody('');
      // The next message is a reply again: a note must never leak into a public reply by default.
      setInternal(false);
      onPosted(comment);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card className={`reply-box${internal ? ' internal' : ''}`}>
      <form className="stack-sm" onSubmit={submit}>
        <InlineError error={error} />
        {onInsert && <MacroPicker number={number} onInsert={onInsert} />}
        <TextAreaField
          label="Reply"
          id="ticket-reply"
          value={body}
          onChange={(e) => setBody(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void submit();
          }}
          placeholder={internal ? 'Only agents will see this note…' : 'Write a reply to the requester…'}
          rows={4}
          hint="Ctrl+Enter to send"
        />
        <div className="row">
          <Checkbox
            label="Internal note"
            checked={internal}
            onChange={(e) => setInternal(e.target.checked)}
          />
          <span className="spacer" />
          <Button type="submit" variant="primary" loading={busy} disabled={!body.trim()}>
            {internal ? 'Add internal note' : 'Send reply'}
          </Button>
        </div>
      </form>
    </Card>
  );
}
