import { useCallback, useEffect, useRef, useState } from 'react';
import { ConnectionBadge, EventFeed } from '../components/EventFeed';
import { useAuth } from '../lib/auth';
import { allowedTopics } from '../lib/topics';
import type { ChangeEvent } from '../lib/types';
import { useEvents } from '../lib/useEvents';
import { Button } from '../ui/Button';
import { Card } from '../ui/Card';
import { Checkbox } from '../ui/Field';
import { PageHeader } from '../ui/PageHeader';
import { EmptyState } from '../ui/States';

const MAX_EVENTS = 500;

export function EventsPage() {
  const { can } = useAuth();
  const topics = allowedTopics(can);
  const [shown, setShown] = useState<Set<string>>(() => new Set(topics));
  const [events, setEvents] = useState<ChangeEvent[]>([]);
  const [buffer, setBuffer] = useState<ChangeEvent[]>([]);
  const [paused, setPaused] = useState(false);
  const [fresh, setFresh] = useState<Set<number>>(new Set());
  const pausedRef = useRef(paused);
  pausedRef.current = paused;

  const onEvent = useCallback((e: ChangeEvent) => {
    if (pausedRef.current) setBuffer((b) => [e, ...b]);
    else {
      setEvents((list) => [e, ...list].slice(0, MAX_EVENTS));
      setFresh((f) => new Set(f).add(e.id));
    }
  }, []);
  const { status } = useEvents({ topics, onEvent });

  useEffect(() => {
    if (!fresh.size) return;
    const t = setTimeout(() => setFresh(new Set()), 1600);
    return () => clearTimeout(t);
  }, [fresh]);

  const togglePause = () => {
    if (paused) {
      setEvents((list) => [...buffer, ...list].slice(0, MAX_EVENTS));
      setBuffer([]);
    }
    setPaused((p) => !p);
  };

  const toggleTopic = (topic: string, on: boolean) =>
    setShown((s) => {
      const next = new Set(s);
      if (on) next.add(topic);
      else next.delete(topic);
      return next;
    });

  const visible = events.filter((e) => shown.has(e.topic));

  return (
    <>
      <PageHeader
        title="Events"
        description="Every committed change, as it happens."
        actions={
          <>
            <ConnectionBadge status={status} />
            <Button onClick={togglePause} aria-pressed={paused}>
              {paused ? `Resume${buffer.length ? ` (${buffer.length} new)` : ''}` : 'Pause'}
            </Button>
            <Button variant="ghost" onClick={() => setEvents([])} disabled={!events.length}>
              Clear
            </Button>
          </>
        }
      />
      <Card flush>
        <fieldset className="filters" style={{ border: 0, margin: 0 }}>
          <legend className="sr-only">Topics</legend>
          {topics.map((topic) => (
            <Checkbox
              key={topic}
              label={topic.charAt(0).toUpperCase() + topic.slice(1)}
              checked={shown.has(topic)}
              onChange={(e) => toggleTopic(topic, e.target.checked)}
            />
          ))}
          <span className="spacer" />
          <span className="small muted" aria-live="polite">
            {paused ? `Paused · ${buffer.length} waiting` : `${visible.length} shown`}
          </span>
        </fieldset>
        {visible.length ? (
          <EventFeed events={visible} freshIds={fresh} />
        ) : (
          <EmptyState title={paused ? 'Paused' : 'Listening for events…'}>
            {status === 'open'
              ? 'Create or change a document, ticket or user and it will show up here.'
              : 'Connecting to the event stream.'}
          </EmptyState>
        )}
      </Card>
    </>
  );
}
