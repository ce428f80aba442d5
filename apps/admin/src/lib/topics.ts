import type { Scope } from './types';

export const TOPICS = [
  { topic: 'documents', scope: 'kb:read' },
  { topic: 'tickets', scope: 'tickets:read' },
  { topic: 'users', scope: 'users:read' },
] as const satisfies readonly { topic: string; scope: Scope }[];

export function allowedTopics(can: (scope: Scope) => boolean): string[] {
  return TOPICS.filter((t) => can(t.scope)).map((t) => t.topic);
}
