import { useState, type FormEvent } from 'react';
import { api } from '../../lib/api';
import { parseTags } from '../../lib/format';
import { TICKET_PRIORITIES, type Ticket, type TicketPriority } from '../../lib/types';
import { Button } from '../../ui/Button';
import { Dialog } from '../../ui/Dialog';
import { SelectField, TextAreaField, TextField, toOptions } from '../../ui/Field';
import { InlineError } from '../../ui/States';

export function NewTicketDialog({
  open,
  onClose,
  onCreated,
}: {
  open: boolean;
  onClose: () => void;
  onCreated: (t: Ticket) => void;
}) {
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [priority, setPriority] = useState<TicketPriority>('normal');
  const [requesterEmail, setRequesterEmail] = useState('');
  const [tags, setTags] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (e?: FormEvent) => {
    e?.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const ticket = await api.createTicket({
        title,
        description,
        priority,
        requesterEmail,
        tags: parseTags(tags),
      });
      setTitle('');
      setDescription('');
      setTags('');
      onCreated(ticket);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open={open}
      title="New ticket"
      onClose={onClose}
      dismissible={!busy}
      wide
      footer={
        <>
          <Button onClick={onClose} disabled={busy}>
            Cancel
          </Button>
          <Button variant="primary" type="submit" form="new-ticket-form" loading={busy}>
            Create ticket
          </Button>
        </>
      }
    >
      <form id="new-ticket-form" className="stack" onSubmit={submit}>
        <InlineError error={error} />
        <TextField
          label="Title"
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          required
          data-autofocus
        />
        <TextAreaField
          label="Description"
          value={description}
          onChange={(e) => setDescription(e.target.value)}
          rows={5}
        />
        <div className="row" style={{ alignItems: 'flex-start' }}>
          <TextField
            label="Requester email"
            type="email"
            value={requesterEmail}
            onChange={(e) => setRequesterEmail(e.target.value)}
            required
            fieldClassName="spacer"
          />
          <SelectField
            label="Priority"
            value={priority}
            onChange={(e) => setPriority(e.target.value as TicketPriority)}
            options={toOptions(TICKET_PRIORITIES)}
          />
        </div>
        <TextField
          label="Tags"
          value={tags}
          onChange={(e) => setTags(e.target.value)}
          hint="Separate tags with commas."
        />
      </form>
    </Dialog>
  );
}
