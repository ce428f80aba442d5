import { useEffect, useRef, useState } from 'react';
import { useAuth } from './auth';
import type { ChangeEvent } from './types';

export type ConnectionStatus = 'connecting' | 'open' | 'reconnecting' | 'offline';

interface UseEventsOptions {
  topics: string[];
  onEvent: (event: ChangeEvent) => void;
  /** Replay stored events after this id on first connect (may arrive later, with `enabled`). */
  since?: number;
  enabled?: boolean;
}

const MAX_BACKOFF_MS = 30_000;

function eventsUrl(token: string): string {
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${window.location.host}/events?access_token=${encodeURIComponent(token)}`;
}

/**
 * Subscribes to the change-event WebSocket. Reconnects with exponential backoff and resumes with
 * `since` = the last event id seen, so nothing is missed or repeated across reconnects.
 */
export function useEvents({ topics, onEvent, since, enabled = true }: UseEventsOptions) {
  const { token } = useAuth();
  const [status, setStatus] = useState<ConnectionStatus>('connecting');
  const onEventRef = useRef(onEvent);
  const lastIdRef = useRef<number | undefined>(since);
  const topicKey = [...topics].sort().join(',');

  useEffect(() => {
    onEventRef.current = onEvent;
  }, [onEvent]);

  // Declared before the connecting effect, so a `since` that arrives together with `enabled`
  // (history loaded first) is in place when the socket subscribes.
  useEffect(() => {
    if (since !== undefined && (lastIdRef.current === undefined || since > lastIdRef.current))
      lastIdRef.current = since;
  }, [since]);

  useEffect(() => {
    if (!token || !enabled || !topicKey) {
      setStatus('offline');
      return;
    }
    let socket: WebSocket | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let attempts = 0;
    let disposed = false;

    const connect = () => {
      setStatus(attempts === 0 ? 'connecting' : 'reconnecting');
      socket = new WebSocket(eventsUrl(token));
      socket.onopen = () => {
        attempts = 0;
        const msg: Record<string, unknown> = { type: 'subscribe', topics: topicKey.split(',') };
        if (lastIdRef.current !== undefined) msg.since = lastIdRef.current;
        socket?.send(JSON.stringify(msg));
      };
      socket.onmessage = (ev: MessageEvent) => {
        let msg: unknown;
        try {
          msg = JSON.parse(String(ev.data));
        } catch {
          return;
        }
        if (!msg || typeof msg !== 'object') return;
        const frame = msg as Partial<ChangeEvent> & { type?: string; message?: string };
        if (frame.type === 'event' && typeof frame.id === 'number') {
          if (lastIdRef.current !== undefined && frame.id <= lastIdRef.current) return;
          lastIdRef.current = frame.id;
          onEventRef.current(frame as ChangeEvent);
        } else if (frame.type === 'subscribed') {
          // Live only once the server holds the subscription: a change committed from here on is
          // delivered (before the acknowledgement it could be missed).
          setStatus('open');
        } else if (frame.type === 'error') {
          console.warn('events: server error frame', frame);
        }
      };
      socket.onclose = () => {
        socket = null;
        if (disposed) return;
        attempts += 1;
        setStatus('reconnecting');
        const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(attempts, 6)) * (0.75 + Math.random() / 2);
        retry = setTimeout(connect, delay);
      };
    };

    connect();
    return () => {
      disposed = true;
      clearTimeout(retry);
      if (!socket) return;
      const s = socket;
      s.onclose = null;
      s.onmessage = null;
      // Closing a socket that is still connecting makes the browser log an error; wait for it to open.
      if (s.readyState === WebSocket.CONNECTING) s.onopen = () => s.close(1000, 'unmount');
      else s.close(1000, 'unmount');
    };
  }, [token, enabled, topicKey]);

  return { status };
}
