import { useEffect, type ReactNode } from 'react';

const APP_NAME = 'Context Desk';

/** Names the browser tab after the page: "Tickets · Context Desk". */
export function useDocumentTitle(title: string | undefined): void {
  useEffect(() => {
    if (!title) return;
    document.title = `${title} · ${APP_NAME}`;
  }, [title]);
}

export function PageHeader({
  title,
  description,
  actions,
  breadcrumb,
  documentTitle,
}: {
  title: ReactNode;
  /** The tab title when `title` is not plain text. */
  documentTitle?: string;
  description?: ReactNode;
  actions?: ReactNode;
  breadcrumb?: ReactNode;
}) {
  useDocumentTitle(documentTitle ?? (typeof title === 'string' ? title : undefined));
  return (
    <div className="page-header">
      <div style={{ minWidth: 0 }}>
        {breadcrumb && <div className="breadcrumb">{breadcrumb}</div>}
        <h1>{title}</h1>
        {description && <p>{description}</p>}
      </div>
      {actions && <div className="actions">{actions}</div>}
    </div>
  );
}
