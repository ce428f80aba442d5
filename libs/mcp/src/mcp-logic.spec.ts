import type { ChangeEvent } from '@app/events';
import { parseResourceUri } from './resources';
import { requestIdsOf, wantsStream } from './sdk-transport';
import { StatelessMux } from './stateless-mux';
import { uriOfEvent } from './subscriptions';
import { toolErrorText } from './tool-errors';
import { NotFoundError, VersionConflictError } from '@app/core';

const event = (topic: ChangeEvent['topic'], data: Record<string, unknown>, entityId = 'e1'): ChangeEvent => ({
  id: 1,
  topic,
  event: `${topic}.updated`,
  entityId,
  data,
  actorId: null,
  at: new Date().toISOString(),
});

describe('MCP door logic', () => {
  it('parses kb:// resource URIs', () => {
    expect(parseResourceUri('kb://documents/reset-password')).toEqual({
      kind: 'documents',
      key: 'reset-password',
    });
    expect(parseResourceUri('kb://tickets/42')).toEqual({ kind: 'tickets', key: '42' });
    expect(parseResourceUri('kb://users/a%20b')).toEqual({ kind: 'users', key: 'a b' });
    expect(parseResourceUri('kb://other/x')).toBeNull();
    expect(parseResourceUri('test://watched-resource')).toBeNull();
  });

  it('maps outbox events to the resource they change', () => {
    expect(uriOfEvent(event('documents', { slug: 'vpn' }))).toBe('kb://documents/vpn');
    expect(uriOfEvent(event('tickets', { number: 7 }))).toBe('kb://tickets/7');
    expect(uriOfEvent(event('tickets', { ticketNumber: 8 }))).toBe('kb://tickets/8');
    expect(uriOfEvent(event('users', {}, 'u-1'))).toBe('kb://users/u-1');
  });

  it('streams only requests that asked for progress', () => {
    const call = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'x' } };
    expect(wantsStream(call)).toBe(false);
    expect(wantsStream({ ...call, params: { name: 'x', _meta: { progressToken: 't' } } })).toBe(true);
    expect(wantsStream([{ jsonrpc: '2.0', method: 'notifications/initialized' }, call])).toBe(false);
    expect(requestIdsOf([call, { jsonrpc: '2.0', method: 'notifications/x' }])).toEqual([1]);
  });

  it('says what to do next on domain errors', () => {
    expect(toolErrorText(new VersionConflictError('document', 'd1', 1, 3))).toMatch(/expectedVersion 3/);
    expect(toolErrorText(new NotFoundError('ticket', 9))).toMatch(/^Not found/);
  });

  it('routes replies of a shared server back to the right transport with the original ids', async () => {
    const mux = new StatelessMux();
    const seen: unknown[] = [];
    mux.onmessage = (m) => seen.push(m);
    const sent: Record<string, unknown[]> = { a: [], b: [] };
    const transport = (name: 'a' | 'b') =>
      ({ send: async (m: unknown) => void sent[name].push(m) }) as unknown as Parameters<
        StatelessMux['attach']
      >[0];
    const a = transport('a');
    const b = transport('b');
    mux.attach(a);
    mux.attach(b);
    a.onmessage!({ jsonrpc: '2.0', id: 1, method: 'ping' });
    b.onmessage!({ jsonrpc: '2.0', id: 1, method: 'ping' });
    const [ia, ib] = seen.map((m) => (m as { id: string }).id);
    expect(ia).not.toBe(ib);
    await mux.send({ jsonrpc: '2.0', id: ib, result: {} });
    await mux.send({ jsonrpc: '2.0', id: ia, result: {} });
    expect(sent.a).toEqual([{ jsonrpc: '2.0', id: 1, result: {} }]);
    expect(sent.b).toEqual([{ jsonrpc: '2.0', id: 1, result: {} }]);
    expect(mux.pending).toBe(0);
  });
});
