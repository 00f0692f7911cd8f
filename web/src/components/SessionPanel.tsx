// "Mint a test session": asks the server's session broker for a client secret and shows the result.
// The full client secret never enters component state; only its masked form is kept.
import { useEffect, useRef, useState, type ReactElement } from 'react'
import { ApiError, mintSession } from '../api'
import { formatCountdown, maskSecret, parseExpiresAt } from '../format'
import { useNow } from '../hooks/useNow'
import { ErrorAlert } from './ErrorAlert'
import { KeyIcon } from './Icons'
import { Panel } from './Panel'

/** What the page keeps of a minted session. */
export interface MintedSession {
  sessionId: string
  maskedSecret: string
  expiresAt: Date | null
}

export interface SessionPanelProps {
  /** A hint shown above the button, e.g. when hosted mode is not configured. */
  hint?: string
}

function toApiError(err: unknown): ApiError {
  return err instanceof ApiError ? err : new ApiError(0, 'client_error', String(err))
}

export function SessionPanel({ hint }: SessionPanelProps): ReactElement {
  const [pending, setPending] = useState(false)
  const [session, setSession] = useState<MintedSession | null>(null)
  const [error, setError] = useState<ApiError | null>(null)
  const abortRef = useRef<AbortController | null>(null)

  useEffect(() => () => abortRef.current?.abort(), [])

  const expiresMs = session?.expiresAt?.getTime() ?? null
  const now = useNow(expiresMs !== null)
  const remaining = expiresMs === null ? null : expiresMs - now

  async function onMint(): Promise<void> {
    if (pending) return
    const controller = new AbortController()
    abortRef.current = controller
    setPending(true)
    setError(null)
    setSession(null)
    try {
      const res = await mintSession(controller.signal)
      setSession({
        sessionId: res.session_id,
        maskedSecret: maskSecret(res.client_secret),
        expiresAt: parseExpiresAt(res.expires_at),
      })
    } catch (err) {
      if (controller.signal.aborted) return
      setError(toApiError(err))
    } finally {
      if (!controller.signal.aborted) setPending(false)
    }
  }

  return (
    <Panel id="session" title="Test session" busy={pending}>
      <p className="muted">
        Asks <code>POST /api/chatkit/session</code> for a short-lived client secret, as the ChatKit widget
        does. Only a masked form of the secret is shown.
      </p>
      {hint ? <p className="hint">{hint}</p> : null}
      <button
        type="button"
        className="button button-primary"
        onClick={() => void onMint()}
        aria-disabled={pending}
      >
        <KeyIcon />
        {pending ? 'Minting\u2026' : 'Mint a test session'}
      </button>

      <p className="visually-hidden" role="status">
        {session ? `Session ${session.sessionId} minted.` : ''}
      </p>

      {error ? <ErrorAlert error={error} title="Could not mint a session" /> : null}

      {session ? (
        <dl className="facts session-facts">
          <dt>Session ID</dt>
          <dd>
            <code>{session.sessionId}</code>
          </dd>
          <dt>Client secret</dt>
          <dd>
            <code>{session.maskedSecret}</code>{' '}
            <span className="muted">(masked)</span>
          </dd>
          <dt>Expires</dt>
          <dd>
            {session.expiresAt ? (
              <>
                <time dateTime={session.expiresAt.toISOString()}>{session.expiresAt.toLocaleString()}</time>{' '}
                <span className={remaining !== null && remaining <= 0 ? 'countdown expired' : 'countdown'}>
                  {remaining === null ? '' : remaining > 0 ? `in ${formatCountdown(remaining)}` : 'expired'}
                </span>
              </>
            ) : (
              <span className="muted">Unknown</span>
            )}
          </dd>
        </dl>
      ) : null}
    </Panel>
  )
}
