import {
  useEffect,
  useId,
  useRef,
  useState,
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
} from 'react';

interface FieldShellProps {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string;
  hideLabel?: boolean;
  className?: string;
  children: ReactNode;
}

function FieldShell({ id, label, hint, error, hideLabel, className, children }: FieldShellProps) {
  return (
    <div className={['field', className].filter(Boolean).join(' ')}>
      <label htmlFor={id} className={hideLabel ? 'sr-only' : 'field-label'}>
        {label}
      </label>
      {children}
      {hint && !error && (
        <span id={`${id}-hint`} className="field-hint">
          {hint}
        </span>
      )}
      {error && (
        <span id={`${id}-error`} className="field-error">
          {error}
        </span>
      )}
    </div>
  );
}

interface CommonProps {
  label: ReactNode;
  hint?: ReactNode;
  error?: string;
  hideLabel?: boolean;
  fieldClassName?: string;
}

function describedBy(id: string, hint?: ReactNode, error?: string) {
  if (error) return `${id}-error`;
  if (hint) return `${id}-hint`;
  return undefined;
}

export function TextField({
  label,
  hint,
  error,
  hideLabel,
  fieldClassName,
  className,
  id: givenId,
  ...rest
}: CommonProps & InputHTMLAttributes<HTMLInputElement>) {
  const autoId = useId();
  const id = givenId ?? autoId;
  return (
    <FieldShell
      id={id}
      label={label}
      hint={hint}
      error={error}
      hideLabel={hideLabel}
      className={fieldClassName}
    >
      <input
        id={id}
        className={['input', className].filter(Boolean).join(' ')}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, hint, error)}
        {...rest}
      />
    </FieldShell>
  );
}

export function TextAreaField({
  label,
  hint,
  error,
  hideLabel,
  fieldClassName,
  className,
  id: givenId,
  ...rest
}: CommonProps & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const autoId = useId();
  const id = givenId ?? autoId;
  return (
    <FieldShell
      id={id}
      label={label}
      hint={hint}
      error={error}
      hideLabel={hideLabel}
      className={fieldClassName}
    >
      <textarea
        id={id}
        className={['textarea', className].filter(Boolean).join(' ')}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, hint, error)}
        {...rest}
      />
    </FieldShell>
  );
}

/** An ISO instant as a `datetime-local` value (the user's local time, to the minute); '' for none. */
export function toLocalDateTime(iso: string | null | undefined): string {
  const d = iso ? new Date(iso) : null;
  if (!d || isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * A date and time in the user's local time, given and returned as an ISO instant (null: empty).
 * `commit="blur"` reports on blur or Enter instead of on every change, so a field that writes
 * at once does not send a request per typed digit.
 */
export function DateTimeField({
  value,
  onValue,
  commit = 'change',
  ...rest
}: CommonProps &
  Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange' | 'type'> & {
    value: string | null | undefined;
    onValue: (iso: string | null) => void;
    commit?: 'change' | 'blur';
  }) {
  const shown = toLocalDateTime(value);
  const [draft, setDraft] = useState(shown);
  const reported = useRef(shown);
  useEffect(() => {
    setDraft(shown);
    reported.current = shown;
  }, [shown]);
  const report = (local: string) => {
    if (local === reported.current) return;
    reported.current = local;
    onValue(local ? new Date(local).toISOString() : null);
  };
  return (
    <TextField
      {...rest}
      type="datetime-local"
      value={draft}
      onChange={(e) => {
        setDraft(e.target.value);
        if (commit === 'change') report(e.target.value);
      }}
      onBlur={() => commit === 'blur' && report(draft)}
      onKeyDown={(e) => {
        if (commit === 'blur' && e.key === 'Enter') report(draft);
      }}
    />
  );
}

export interface Option {
  value: string;
  label: string;
}

export function SelectField({
  label,
  hint,
  error,
  hideLabel,
  fieldClassName,
  className,
  options,
  id: givenId,
  ...rest
}: CommonProps & SelectHTMLAttributes<HTMLSelectElement> & { options: Option[] }) {
  const autoId = useId();
  const id = givenId ?? autoId;
  return (
    <FieldShell
      id={id}
      label={label}
      hint={hint}
      error={error}
      hideLabel={hideLabel}
      className={fieldClassName}
    >
      <select
        id={id}
        className={['select', className].filter(Boolean).join(' ')}
        aria-describedby={describedBy(id, hint, error)}
        {...rest}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </FieldShell>
  );
}

export function Checkbox({
  label,
  className,
  hideLabel,
  ...rest
}: { label: ReactNode; hideLabel?: boolean } & Omit<InputHTMLAttributes<HTMLInputElement>, 'type'>) {
  return (
    <label className={['checkbox', className].filter(Boolean).join(' ')}>
      <input type="checkbox" {...rest} />
      <span className={hideLabel ? 'sr-only' : undefined}>{label}</span>
    </label>
  );
}

export const toOptions = (values: readonly string[], labels?: Record<string, string>): Option[] =>
  values.map((v) => ({ value: v, label: labels?.[v] ?? v.charAt(0).toUpperCase() + v.slice(1) }));
