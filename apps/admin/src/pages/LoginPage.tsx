import { useState, type FormEvent } from 'react';
import { ApiError, errorMessage } from '../lib/api';
import { useAuth } from '../lib/auth';
import { Button } from '../ui/Button';
import { TextField } from '../ui/Field';
import { useDocumentTitle } from '../ui/PageHeader';
import { InlineError } from '../ui/States';

export function LoginPage({ notice }: { notice?: string }) {
  const { signIn } = useAuth();
  useDocumentTitle('Sign in');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!email.trim() || !password) {
      setError('Enter your email and password.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await signIn(email.trim(), password);
    } catch (err) {
      if (err instanceof ApiError && (err.status === 401 || err.status === 400)) {
        setError(err.status === 401 ? 'Incorrect email or password.' : errorMessage(err));
      } else {
        setError(errorMessage(err));
      }
      setBusy(false);
    }
  };

  return (
    <div className="login-page">
      <main className="card login-card">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            CD
          </span>
          Context Desk
        </div>
        <h1>Sign in</h1>
        <p className="muted" style={{ marginTop: 0 }}>
          Manage the knowledge base and support desk.
        </p>
        <form className="stack" onSubmit={submit} noValidate>
          {notice && !error && <div className="notice">{notice}</div>}
          <InlineError error={error} />
          <TextField
            label="Email"
            type="email"
            name="email"
            autoComplete="username"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            required
            autoFocus
          />
          <TextField
            label="Password"
            type="password"
            name="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
          <Button type="submit" variant="primary" loading={busy}>
            Sign in
          </Button>
        </form>
      </main>
    </div>
  );
}
