import { useState } from 'preact/hooks';
import { api, setCsrf } from '../api';
import { Field, errorText } from '../widgets';

export function Login(p: { onDone: () => void }) {
  const [pw, setPw] = useState('');
  const [err, setErr] = useState<string | null>(null);
  return (
    <main class="narrow">
      <h1>kabosu miner</h1>
      <form
        aria-label="log in"
        onSubmit={async (e) => {
          e.preventDefault();
          try {
            const r = await api<{ csrf: string }>('POST', '/api/v1/auth/login', { password: pw });
            setCsrf(r.csrf);
            p.onDone();
          } catch (x) {
            setErr(errorText(x));
          }
        }}
      >
        <Field id="login-pw" label="Admin password">
          <input id="login-pw" type="password" autoComplete="current-password" value={pw} onInput={(e) => setPw((e.target as HTMLInputElement).value)} required />
        </Field>
        <button type="submit" class="primary">
          Log in
        </button>
        {err ? (
          <p role="alert" class="err" data-testid="login-error">
            {err}
          </p>
        ) : null}
      </form>
    </main>
  );
}
