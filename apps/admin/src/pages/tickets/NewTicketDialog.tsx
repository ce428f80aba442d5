import { useState } from 'react';
import { api } from '../../lib/api';
import { parseTags } from '../../lib/format';
import {
  CHANNEL_LABELS,
  TICKET_CHANNELS,
  TICKET_PRIORITIES,
  type Ticket,
  type TicketChannel,
  type TicketPriority,
} from '../../lib/types';
import { DateTimeField, SelectField, TextAreaField, TextField, toOptions } from '../../ui/Field';
import { FormDialog } from '../../ui/FormDialog';

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
  const [channel, setChannel] = useState<TicketChannel>('email');
  const [dueAt, setDueAt] = useState<string | null>(null);
  const [requesterEmail, setRequesterEmail] = useState('');
  const [tags, setTags] = useState('');
  const submit = async () => {
    const ticket = await api.createTicket({
      title,
      description,
      priority,
      channel,
      dueAt,
      requesterEmail,
      tags: parseTags(tags),
    });
    setTitle('');
    setDescription('');
    setTags('');
    setDueAt(null);
    onCreated(ticket);
  };

  return (
    <FormDialog
      open={open}
      title="New ticket"
      onClose={onClose}
      submitLabel="Create ticket"
      onSubmit={submit}
      wide
    >
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
        <SelectField
          label="Channel"
          value={channel}
          onChange={(e) => setChannel(e.target.value as TicketChannel)}
          options={toOptions(TICKET_CHANNELS, CHANNEL_LABELS)}
        />
        <DateTimeField label="Due by" value={dueAt} onValue={setDueAt} hint="Promised to the customer" />
      </div>
      <TextField
        label="Tags"
        value={tags}
        onChange={(e) => setTags(e.target.value)}
        hint="Separate tags with commas."
      />
    </FormDialog>
  );
}
