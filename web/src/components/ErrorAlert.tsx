// Shows an API error (its code and message) in an alert region that screen readers announce.
import type { ReactElement, ReactNode } from 'react'
import type { ApiError } from '../api'
import { WarningIcon } from './Icons'

export interface ErrorAlertProps {
  error: ApiError
  /** What failed, e.g. "Could not load the server status". */
  title: string
  /** Optional action, e.g. a retry button. */
  children?: ReactNode
}

export function ErrorAlert({ error, title, children }: ErrorAlertProps): ReactElement {
  return (
    <div className="alert alert-error" role="alert">
      <WarningIcon />
      <div className="alert-body">
        <p className="alert-title">{title}</p>
        <p>
          <code className="error-code">{error.code}</code>
          {error.status > 0 ? <span className="muted"> (HTTP {error.status})</span> : null}
          {': '}
          {error.message}
        </p>
        {children}
      </div>
    </div>
  )
}
