import { ForbiddenError, hasScope, type Principal, type Scope } from '@app/core';
import { helpArticleUrl } from '@app/knowledge';
import type { ListTicketsInput } from '@app/tickets';
import type { McpDomain } from '../domain';
import {
  toCommentOut,
  toDocumentOut,
  toSearchResultOut,
  toTicketOut,
  toTicketWithCommentsOut,
  toUserOut,
  type DocumentOut,
  type TicketOut,
} from '../schemas';

type SearchResult = ReturnType<typeof toSearchResultOut>;
type TicketWithComments = ReturnType<typeof toTicketWithCommentsOut>;
type Comment = ReturnType<typeof toCommentOut>;
type User = ReturnType<typeof toUserOut>;

/**
 * The small, typed domain API a plugin gets (the same shapes the built-in tools return). Every
 * method acts as the caller and checks the caller's scope first, so a plugin tool cannot reach
 * further than the key or user calling it.
 */
export interface PluginServices {
  knowledge: {
    search(
      query: string,
      opts?: { limit?: number; tags?: string[]; collection?: string },
    ): Promise<SearchResult[]>;
    getDocument(slug: string): Promise<DocumentOut>;
  };
  tickets: {
    get(number: number): Promise<TicketWithComments>;
    search(
      filter: Pick<ListTicketsInput, 'query' | 'status' | 'priority' | 'requesterEmail' | 'limit'>,
    ): Promise<TicketOut[]>;
    comment(number: number, body: string, opts?: { internal?: boolean }): Promise<Comment>;
  };
  users: {
    findByEmail(email: string): Promise<User>;
  };
}

export function pluginServices(domain: McpDomain, caller: Principal): PluginServices {
  const need = (scope: Scope) => {
    if (!hasScope(caller, scope))
      throw new ForbiddenError(`this needs the scope ${scope}, which the caller lacks`);
  };
  return {
    knowledge: {
      async search(query, opts = {}) {
        need('kb:read');
        const page = await domain.search.search({
          query,
          limit: opts.limit ?? 5,
          tags: opts.tags,
          collection: opts.collection,
          status: 'published',
        });
        return page.items.map((h) => toSearchResultOut(h, helpArticleUrl(domain.config.publicUrl, h.slug)));
      },
      async getDocument(slug) {
        need('kb:read');
        return toDocumentOut(await domain.documents.getBySlug(slug));
      },
    },
    tickets: {
      async get(number) {
        need('tickets:read');
        return toTicketWithCommentsOut(await domain.tickets.get(number, caller));
      },
      async search(filter) {
        need('tickets:read');
        return (await domain.tickets.list(filter, caller)).items.map(toTicketOut);
      },
      async comment(number, body, opts = {}) {
        need('tickets:write');
        return toCommentOut(
          await domain.tickets.comment(number, { body, internal: opts.internal ?? false }, caller),
        );
      },
    },
    users: {
      async findByEmail(email) {
        need('users:read');
        return toUserOut(await domain.users.getByEmail(email));
      },
    },
  };
}
