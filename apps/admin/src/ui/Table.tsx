import type { ReactNode } from 'react';

/** A dense data table with a caption for screen readers and horizontal scroll on small screens. */
export function Table({
  caption,
  children,
  testId,
}: {
  caption: string;
  children: ReactNode;
  testId?: string;
}) {
  return (
    // Focusable so keyboard users can scroll a wide table sideways (it never cuts columns).
    <div className="table-wrap" tabIndex={0} role="region" aria-label={caption}>
      <table className="table" data-testid={testId}>
        <caption className="sr-only">{caption}</caption>
        {children}
      </table>
    </div>
  );
}
