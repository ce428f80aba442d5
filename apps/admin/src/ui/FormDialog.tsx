import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError } from '../lib/api';
import { Button } from './Button';
import { Dialog } from './Dialog';
import { InlineError } from './States';

/** The message the API gave for one field of a refused form, if any. */
export const fieldErrorOf = (error: unknown, field: string): string | undefined =>
  error instanceof ApiError ? error.errors.find((e) => e.field === field)?.message : undefined;

interface FormDialogProps {
  open: boolean;
  title: ReactNode;
  onClose: () => void;
  /** The primary button's label, e.g. "Create user". */
  submitLabel: string;
  /**
   * Saves the form. While it runs the dialog cannot be dismissed; what it throws (an ApiError,
   * or an Error whose message explains a refusal) is shown above the fields.
   */
  onSubmit: () => Promise<void>;
  /** The fields; a function gets the last error (for per-field messages via fieldErrorOf). */
  children: ReactNode | ((error: unknown) => ReactNode);
  wide?: boolean;
}

/** A dialog around one form: Cancel and submit buttons, busy state and the error of the last try. */
export function FormDialog({ open, title, onClose, submitLabel, onSubmit, children, wide }: FormDialogProps) {
  const formId = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onSubmit();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open={open}
      title={title}
      onClose={onClose}
      dismissible={!busy}
      wide={wide}
      footer={
        <>
          <Button onClick={onClose} disabled={busy}>
            Cancel
          </Button>
          <Button variant="primary" type="submit" form={formId} loading={busy}>
            {submitLabel}
          </Button>
        </>
      }
    >
      <form id={formId} className="stack" onSubmit={submit}>
        <InlineError error={error} />
        {typeof children === 'function' ? children(error) : children}
      </form>
    </Dialog>
  );
}
