import { useState, type FormEvent } from 'react';
import { api } from '../../lib/api';
import type { TicketComment } from '../../lib/types';
import { Button } from '../../ui/Button';
import { Card } from '../../ui/Card';
import { Checkbox, TextAreaField } from '../../ui/Field';
import { InlineError } from '../../ui/States';

export function ReplyBox({ number, onPosted }: { number: number; onPosted: (c: TicketComment) => void }) {
  const [body, setBody] = useState('');
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
