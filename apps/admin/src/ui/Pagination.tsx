import { Button } from './Button';

interface PaginationProps {
  page: number;
  count: number;
  hasPrevious: boolean;
  hasNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
  noun?: string;
}

export function Pagination({
  page,
  count,
  hasPrevious,
  hasNext,
  onPrevious,
  onNext,
  noun = 'items',
}: PaginationProps) {
  return (
    <nav className="pagination" aria-label="Pagination">
      <span>
        Page {page} · {count} {noun}
      </span>
      <div className="btns">
        <Button size="sm" onClick={onPrevious} disabled={!hasPrevious}>
          Previous
        </Button>
        <Button size="sm" onClick={onNext} disabled={!hasNext}>
          Next
        </Button>
      </div>
    </nav>
  );
}
