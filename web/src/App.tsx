// The status page: what the server is, whether it runs in demo mode, hosted-mode configuration,
// and a button to mint a test session. The chat playground will join it as further panels.
import { useCallback, useEffect, useRef, useState, type ReactElement } from 'react'
import { ApiError, fetchStatus, type ServerStatus } from './api'
import { DemoBanner } from './components/DemoBanner'
import { ErrorAlert } from './components/ErrorAlert'
import { HostedPanel } from './components/HostedPanel'
import { LogoIcon } from './components/Icons'
import { ServerPanel } from './components/ServerPanel'
import { SessionPanel } from './components/SessionPanel'

type Load =
  | { state: 'loading' }
  | { state: 'error'; error: ApiError }
  | { state: 'ready'; status: ServerStatus; refreshing: boolean }

export function App(): ReactElement {
  const [load, setLoad] = useState<Load>({ state: 'loading' })
  const abortRef = useRef<AbortController | null>(null)

  const refresh = useCallback(() => {
    abortRef.current?.abort()
    const controller = new AbortController()
    abortRef.current = controller
    setLoad((prev) => (prev.state === 'ready' ? { ...prev, refreshing: true } : { state: 'loading' }))
    fetchStatus(controller.signal).then(
      (status) => setLoad({ state: 'ready', status, refreshing: false }),
      (err: unknown) => {
        if (controller.signal.aborted) return
        const error = err instanceof ApiError ? err : new ApiError(0, 'client_error', String(err))
        setLoad({ state: 'error', error })
      },
    )
  }, [])

  useEffect(() => {
    refresh()
    return () => abortRef.current?.abort()
  }, [refresh])

  const status = load.state === 'ready' ? load.status : null

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <div className="container header-row">
          <LogoIcon />
          <h1>{status?.name ?? 'chatkit-rs'}</h1>
          {status ? <span className="badge">v{status.version}</span> : null}
          <nav className="header-nav" aria-label="Pages">
            <a href="/chat">Open the chat</a>
          </nav>
        </div>
      </header>

      <main id="main" className="container app-main" tabIndex={-1}>
        {load.state === 'loading' ? (
          <p role="status" className="muted">
            Loading server status&hellip;
          </p>
        ) : null}

        {load.state === 'error' ? (
          <ErrorAlert error={load.error} title="Could not load the server status">
            <button type="button" className="button" onClick={refresh}>
              Try again
            </button>
          </ErrorAlert>
        ) : null}

        {load.state === 'ready' ? (
          <>
            {load.status.demo ? <DemoBanner /> : null}
            <div className="grid">
              <ServerPanel status={load.status} onRefresh={refresh} refreshing={load.refreshing} />
              <HostedPanel hosted={load.status.hosted} />
            </div>
            <SessionPanel
              hint={
                !load.status.demo && !load.status.hosted.configured
                  ? 'Hosted mode is not configured, so the server is expected to refuse.'
                  : undefined
              }
            />
          </>
        ) : null}
      </main>

      <footer className="app-footer">
        <div className="container">
          <p className="muted">
            chatkit-rs {status ? status.version : ''}: a ChatKit backend. Status from{' '}
            <code>/api/status</code>.
          </p>
        </div>
      </footer>
    </>
  )
}
