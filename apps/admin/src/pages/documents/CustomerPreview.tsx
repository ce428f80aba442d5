import { useEffect, useState } from 'react';
import { api } from '../../lib/api';
import { Button } from '../../ui/Button';
import { Dialog } from '../../ui/Dialog';
import { ErrorState, Loading } from '../../ui/States';

interface PreviewInput {
  title: string;
  body: string;
  slug?: string;
  tags: string[];
  collection: string | null;
}

/**
 * The article as a customer will see it in the public help center (/help): the server renders
 * the editor's current text with the help center's own renderer and page; it is shown in a
 * frame with every sandbox restriction (no script, no forms, no navigation of the admin).
 */
export function CustomerPreview({
  open,
  onClose,
  input,
}: {
  open: boolean;
  onClose: () => void;
  input: PreviewInput;
}) {
  const [state, setState] = useState<{ html?: string; error?: unknown }>({});
  const key = JSON.stringify(input);

  useEffect(() => {
    if (!open) return;
    let live = true;
    setState({});
    api
      .previewArticle(JSON.parse(key) as PreviewInput)
      .then((r) => live && setState({ html: r.html }))
      .catch((error: unknown) => live && setState({ error }));
    return () => {
      live = false;
    };
  }, [open, key]);

  return (
    <Dialog
      open={open}
      title="Customer view"
      onClose={onClose}
      wide
      testId="customer-preview"
      footer={<Button onClick={onClose}>Close</Button>}
    >
      <p className="small muted flush">As the help center will show it once published.</p>
      {state.error ? (
        <ErrorState error={state.error} title="Couldn’t render the preview" />
      ) : state.html === undefined ? (
        <Loading label="Rendering…" />
      ) : (
        <iframe
          className="preview-frame"
          title="Help center preview"
          sandbox=""
          srcDoc={state.html}
          data-testid="customer-preview-frame"
        />
      )}
    </Dialog>
  );
}
