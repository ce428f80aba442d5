import type { ChangeEvent } from '@app/events';
import { NotFoundError, UnavailableError, VersionConflictError, type Principal, type Scope } from '@app/core';
import { jsonDepth } from './body';
import { McpCatalog } from './catalog';
import { decodeParamHeader, paramHeaderMismatch } from './param-headers';
import { parseResourceUri } from './resources';
import { missingScope } from './scope-rule';
import { SessionEventStore, STANDALONE_STREAM } from './session-event-store';
import { OUTBOX_EVENT_META, uriOfEvent } from './subscriptions';
import { toolErrorText } from './tool-errors';

const event = (topic: ChangeEvent['topic'], data: Record<string, unknown>, entityId = 'e1'): ChangeEvent => ({
  id: 1,
  topic,
  event: `${topic}.updated`,
  entityId,
  data,
  actorId: null,
  at: new Date().toISOString(),
});

const principal = (...scopes: Scope[]): Principal => ({
  kind: 'api_key',
  userId: 'u1',
  apiKeyId: 'k1',
  name: 'key',
  scopes,
  channel: 'mcp',
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

  it('measures JSON nesting without counting brackets in strings, and stops early', () => {
    expect(jsonDepth('{"a":[1,{"b":"[[[["}]}', 64)).toBe(3);
    expect(jsonDepth('"\\"{{{"', 64)).toBe(0);
    expect(jsonDepth('['.repeat(100_000), 64)).toBe(65);
  });

  it('applies one scope rule to tools, prompts, resources and listen subscriptions', () => {
    const catalog = new McpCatalog();
    const kb = principal('kb:read');
    const call = (method: string, params: Record<string, unknown>) => ({
      jsonrpc: '2.0',
      id: 1,
      method,
      params,
    });
    expect(missingScope(kb, call('tools/call', { name: 'search_knowledge' }), catalog)).toBeNull();
    expect(missingScope(kb, call('tools/call', { name: 'get_ticket' }), catalog)).toMatchObject({
      scopes: ['tickets:read'],
      tool: 'get_ticket',
    });
    expect(missingScope(kb, call('resources/read', { uri: 'kb://users/x' }), catalog)).toMatchObject({
      scopes: ['users:read'],
    });
    expect(
      missingScope(kb, call('prompts/get', { name: 'draft_article_from_ticket' }), catalog),
    ).toMatchObject({
      scopes: ['tickets:read'],
    });
    expect(
      missingScope(
        kb,
        call('subscriptions/listen', { notifications: { resourceSubscriptions: ['kb://tickets/1'] } }),
        catalog,
      ),
    ).toMatchObject({ scopes: ['tickets:read'] });
    expect(missingScope(principal('kb:write'), call('tools/list', {}), catalog)).toMatchObject({
      what: 'this endpoint',
    });
  });

  it('shows a kb:read caller only the templates, tools and prompts its scopes cover', () => {
    const v = new McpCatalog().visibleTo(principal('kb:read'));
    expect(v.templates.map((t) => t.uriTemplate)).toEqual(['kb://documents/{slug}']);
    expect(v.tools.map((t) => t.name)).toEqual([
      'whoami',
      'search_knowledge',
      'get_document',
      'list_document_versions',
      'get_document_version',
    ]);
    expect(v.prompts.map((p) => p.name)).toEqual(['answer_from_knowledge']);
  });

  it('keeps request-stream events bounded and derives standalone-stream ids from the outbox', async () => {
    const replayed: unknown[] = [];
    const store = new SessionEventStore(
      {
        position: 41,
        replay: async (_t, after) => [{ id: after + 1, message: { jsonrpc: '2.0', method: 'x' } }],
      },
      { principal: principal('kb:read'), subscriptions: new Set() },
    );
    expect(await store.storeEvent(STANDALONE_STREAM, {} as never)).toBe('g41');
    const note = { jsonrpc: '2.0', method: 'n', params: { _meta: { [OUTBOX_EVENT_META]: 57 } } } as const;
    expect(await store.storeEvent(STANDALONE_STREAM, note)).toBe('g57');
    for (let i = 0; i < 500; i++) await store.storeEvent('s1', { jsonrpc: '2.0', method: 'p' });
    expect(store.size).toBe(200);
    expect(await store.getStreamIdForEventId('r500')).toBe('s1');
    expect(await store.getStreamIdForEventId('r1')).toBeUndefined();
    expect(await store.replayEventsAfter('g57', { send: async (id, m) => void replayed.push([id, m]) })).toBe(
      STANDALONE_STREAM,
    );
    expect(replayed).toEqual([['g58', { jsonrpc: '2.0', method: 'x' }]]);
  });

  it('checks Mcp-Param headers against the arguments they mirror (SEP-2243)', () => {
    expect(decodeParamHeader(' =?base64?SGVsbG8=?= ')).toBe('Hello');
    expect(decodeParamHeader('=?base64?SGVsbG8?=')).toBeNull();
    expect(decodeParamHeader('=?base64?SGVs!!!bG8=?=')).toBeNull();
    expect(decodeParamHeader('=?base64?SGVsbG8=')).toBe('=?base64?SGVsbG8=');
    const def = { headers: { collection: 'Collection' } };
    const h = (v?: string) => (name: string) => (name === 'mcp-param-collection' ? v : undefined);
    expect(paramHeaderMismatch(def, { collection: 'Hello' }, h('=?base64?SGVsbG8=?='))).toBeNull();
    expect(paramHeaderMismatch(def, { collection: 'Hello' }, h(undefined))).toMatch(/required/);
    expect(paramHeaderMismatch(def, { collection: 'Hello' }, h('Bye'))).toMatch(/does not match/);
    expect(paramHeaderMismatch(def, { query: 'x' }, h(undefined))).toBeNull();
    const search = new McpCatalog()
      .visibleTo(principal('kb:read'))
      .tools.find((x) => x.name === 'search_knowledge')!;
    expect((search.inputSchema.properties as any).collection['x-mcp-header']).toBe('Collection');
  });

  it('refuses a tool whose input schema has a combinator at the top level (model APIs reject it)', () => {
    const catalog = new McpCatalog();
    const base = catalog.tool('get_user')!;
    const withRootOneOf = {
      ...base,
      name: 'get_user_root_one_of',
      input: base.input.meta({ oneOf: [{ required: ['id'] }, { required: ['email'] }] }),
    };
    expect(() => catalog.addTool(withRootOneOf)).toThrow(/get_user_root_one_of.*oneOf at the top level/);
    // A combinator on a property is fine.
    const doc = catalog
      .visibleTo(principal('kb:read'))
      .tools.find((x) => x.name === 'get_document')!.inputSchema;
    expect(Object.keys(doc)).not.toContain('oneOf');
    expect((doc.properties as any).id.anyOf).toHaveLength(2);
  });

  it('says what to do next on domain errors', () => {
    expect(toolErrorText(new VersionConflictError('document', 'd1', 1, 3))).toMatch(/expectedVersion 3/);
    expect(toolErrorText(new NotFoundError('ticket', 9))).toMatch(/^Not found/);
  });

  it('tells the caller to retry when the database is unavailable, with the wait', () => {
    expect(toolErrorText(new UnavailableError('pool exhausted', 2))).toBe(
      'Temporarily unavailable: the service is overloaded or its database is unreachable; nothing was changed. Retry in 2 seconds.',
    );
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(toolErrorText(new Error('query failed', { cause: refused }))).toMatch(
      /^Temporarily unavailable.*5 seconds/,
    );
  });
});
