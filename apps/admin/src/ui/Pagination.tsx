import { Button } from './Button';

/** What a cursor-paged list (useCursorPages) tells the pager. */
export interface PagedList {
  page: number;
  items: readonly unknown[];
  hasPrevious: boolean;
  hasNext: boolean;
  previous: () => void;
  next: () => void;
}

export function Pagination({ list, noun = 'items' }: { list: PagedList; noun?: string }) {
  return (
    <nav className="pagination" aria-label="Pagination">
      <span>
        Page {list.page} · {list.items.length} {noun}
      </span>
      <div className="btns">
        <Button size="sm" onClick={list.previous} disabled={!list.hasPrevious}>
          Previous
        </Button>
        <Button size="sm" onClick={list.next} disabled={!list.hasNext}>
          Next
        </Button>
      </div>
    </nav>
  );
}
