import { useCallback, useEffect, useRef, useState } from 'react';
import { ConnectionBadge, EventFeed } from '../components/EventFeed';
import { api, errorMessage } from '../lib/api';
import { useAuth } from '../lib/auth';
import { allowedTopics } from '../lib/topics';
import type { ChangeEvent } from '../lib/types';
import { useAsync } from '../lib/useAsync';
import { useEvents } from '../lib/useEvents';
import { Button } from '../ui/Button';
import { Card } from '../ui/Card';
import { Checkbox } from '../ui/Field';
import { PageHeader } from '../ui/PageHeader';
import { EmptyState, InlineError, Loading } from '../ui/States';

const MAX_EVENTS = 500;
/** Recent history shown on arrival (and after a reload), before live events. */
const HISTORY = 100;

export function EventsPage() {
  const { can } = useAuth();
  const topics = allowedTopics(can);
  const [shown, setShown] = useState<Set<string>>(() => new Set(topics));
  // The latest events first, then the stream from the newest of them: nothing missed at the seam
  // (the server replays anything committed in between) and nothing shown twice.
  const history = useAsync(() => api.listEvents({ order: 'desc', limit: HISTORY }), []);
  const [live, setLive] = useState<ChangeEvent[]>([]);
  const [clearedUpTo, setClearedUpTo] = useState(0);
  const [buffer, setBuffer] = useState<ChangeEvent[]>([]);
  const [paused, setPaused] = useState(false);
  const [fresh, setFresh] = useState<Set<number>>(new Set());
  const pausedRef = useRef(paused);
  pausedRef.current = paused;

  const onEvent = useCallback((e: ChangeEvent) => {
    if (pausedRef.current) setBuffer((b) => [e, ...b]);
    else {
      setLive((list) => [e, ...list].slice(0, MAX_EVENTS));
      setFresh((f) => new Set(f).add(e.id));
    }
  }, []);
  const { status } = useEvents({
    topics,
    onEvent,
    since: history.data ? (history.data.items[0]?.id ?? 0) : undefined,
    // Without the history (it failed to load) the page still follows the live stream.
    enabled: !history.loading,
  });
  const events = [...live, ...(history.data?.items ?? [])]
    .filter((e) => e.id > clearedUpTo)
    .slice(0, MAX_EVENTS);

  useEffect(() => {
    if (!fresh.size) return;
    const t = setTimeout(() => setFresh(new Set()), 1600);
    return () => clearTimeout(t);
  }, [fresh]);

  const togglePause = () => {
    if (paused) {
      setLive((list) => [...buffer, ...list].slice(0, MAX_EVENTS));
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
            <ConnectionBadge status={history.loading ? 'connecting' : status} />
            <Button onClick={togglePause} aria-pressed={paused}>
              {paused ? `Resume${buffer.length ? ` (${buffer.length} new)` : ''}` : 'Pause'}
            </Button>
            <Button variant="ghost" onClick={() => setClearedUpTo(events[0].id)} disabled={!events.length}>
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
        {history.error ? (
          <InlineError error={`Couldn’t load recent events: ${errorMessage(history.error)}`} />
        ) : null}
        {visible.length ? (
          <EventFeed events={visible} freshIds={fresh} />
        ) : history.loading ? (
          <Loading label="Loading recent events…" />
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
