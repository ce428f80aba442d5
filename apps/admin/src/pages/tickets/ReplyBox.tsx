import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api } from '../../lib/api';
import type { TicketComment } from '../../lib/types';
import { Button } from '../../ui/Button';
import { Card } from '../../ui/Card';
import { Checkbox, TextAreaField } from '../../ui/Field';
import { InlineError } from '../../ui/States';

export interface InsertRequest {
  text: string;
  seq: number;
}

export function ReplyBox({
  number,
  onPosted,
  insert,
}: {
  number: number;
  onPosted: (c: TicketComment) => void;
  /** Text to add at the cursor (an article link, a saved reply); a new seq inserts again. */
  insert?: InsertRequest | null;
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
