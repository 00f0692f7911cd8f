// Server-side renders (no DOM needed) checking what the panels say and their accessibility hooks.
import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { ApiError, type HostedStatus } from '../api'
import { DemoBanner } from './DemoBanner'
import { ErrorAlert } from './ErrorAlert'
import { HostedPanel } from './HostedPanel'

const text = (html: string): string => html.replace(/<[^>]+>/g, '').replace(/&#x27;/g, "'")

const hosted: HostedStatus = {
  configured: true,
  missing: null,
  default_workflow: 'wf_demo',
  workflows: ['wf_demo', 'wf_support'],
  byo_key: true,
  uploads: { enabled: true, max_files: 5, max_file_size_mb: 10 },
}

describe('DemoBanner', () => {
  it('says that replies come from the simulator', () => {
    const html = renderToStaticMarkup(<DemoBanner />)
    expect(text(html)).toContain('Demo mode: replies and sessions come from the built-in simulator, not OpenAI')
    expect(html).toContain('role="note"')
  })
})

describe('HostedPanel', () => {
  it('shows a configured hosted mode with its workflows and upload limits', () => {
    const out = text(renderToStaticMarkup(<HostedPanel hosted={hosted} />))
    expect(out).toContain('Configured')
    expect(out).toContain('wf_support')
    expect(out).toContain('Enabled: up to 5 files, 10 MB each')
  })

  it('names the missing setting when hosted mode is not configured', () => {
    const out = text(
      renderToStaticMarkup(
        <HostedPanel hosted={{ ...hosted, configured: false, missing: 'OPENAI_API_KEY', default_workflow: null }} />,
      ),
    )
    expect(out).toContain('Not configured')
    expect(out).toContain('Missing setting: OPENAI_API_KEY')
    expect(out).toContain('Default workflowNone')
  })
})

describe('ErrorAlert', () => {
  it('renders the code and message in an alert region', () => {
    const html = renderToStaticMarkup(
      <ErrorAlert error={new ApiError(429, 'rate_limited', 'Too many requests')} title="Could not mint a session" />,
    )
    expect(html).toContain('role="alert"')
    expect(text(html)).toContain('rate_limited (HTTP 429): Too many requests')
  })
})
