// The banner shown when the server runs with --demo: nothing the page shows comes from OpenAI.
import type { ReactElement } from 'react'
import { FlaskIcon } from './Icons'

export function DemoBanner(): ReactElement {
  return (
    <div className="banner banner-demo" role="note" aria-label="Demo mode">
      <FlaskIcon />
      <p>
        <strong>Demo mode:</strong> replies and sessions come from the built-in
        simulator, not OpenAI.
      </p>
    </div>
  )
}
