// A titled section of the page: a landmark region labelled by its heading.
import type { ReactElement, ReactNode } from 'react'

export interface PanelProps {
  /** Used for the heading id; must be unique on the page. */
  id: string
  title: string
  /** Controls shown next to the heading. */
  actions?: ReactNode
  children: ReactNode
  busy?: boolean
}

export function Panel({ id, title, actions, children, busy = false }: PanelProps): ReactElement {
  const headingId = `${id}-title`
  return (
    <section className="panel" id={id} aria-labelledby={headingId} aria-busy={busy || undefined}>
      <div className="panel-head">
        <h2 id={headingId}>{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  )
}
