// @vitest-environment jsdom
import { describe, expect, it } from 'vitest'
import { isLocalUrl, renderMarkdown, renderMarkdownFragment } from './markdown'

describe('renderMarkdown', () => {
  it('renders emphasis, code, lists and links', () => {
    const html = renderMarkdown('Hello **bold** and `code`\n\n- one\n- two\n\n[docs](https://example.com/docs)')
    expect(html).toContain('<strong>bold</strong>')
    expect(html).toContain('<code>code</code>')
    expect(html).toContain('<li>one</li>')
    expect(html).toContain('href="https://example.com/docs"')
  })

  it('shows HTML in a reply as text, so a script never becomes an element', () => {
    const fragment = renderMarkdownFragment('Simulated reply to: <script>alert(1)</script> <img src=x onerror=alert(2)>')
    expect(fragment.querySelector('script')).toBeNull()
    expect(fragment.querySelector('img')).toBeNull()
    expect(fragment.textContent).toContain('<script>alert(1)</script>')
  })

  it('drops javascript: links', () => {
    const fragment = renderMarkdownFragment('[click](javascript:alert(1)) and <javascript:alert(2)>')
    for (const a of fragment.querySelectorAll('a')) expect(a.getAttribute('href') ?? '').not.toMatch(/^javascript:/i)
    expect(fragment.textContent).toContain('click')
  })

  it('opens links in a new tab without a referrer', () => {
    const link = renderMarkdownFragment('see https://example.com').querySelector('a')
    expect(link?.getAttribute('target')).toBe('_blank')
    expect(link?.getAttribute('rel')).toBe('noopener noreferrer nofollow')
  })

  it('loads images only from this origin: others become links', () => {
    const fragment = renderMarkdownFragment('![chart](https://tracker.example/pixel.png) ![local](/api/chatkit/attachments/a/preview)')
    const imgs = [...fragment.querySelectorAll('img')]
    expect(imgs.map((img) => img.getAttribute('src'))).toEqual(['/api/chatkit/attachments/a/preview'])
    const link = fragment.querySelector('a[href="https://tracker.example/pixel.png"]')
    expect(link?.textContent).toBe('chart')
  })
})

describe('isLocalUrl', () => {
  const base = 'https://chat.example/chat'
  it('accepts this origin, raster data URLs and blobs, and nothing else', () => {
    expect(isLocalUrl('/a.png', base)).toBe(true)
    expect(isLocalUrl('https://chat.example/x', base)).toBe(true)
    expect(isLocalUrl('data:image/png;base64,AAAA', base)).toBe(true)
    expect(isLocalUrl('data:image/svg+xml;base64,AAAA', base)).toBe(false)
    expect(isLocalUrl('https://other.example/x.png', base)).toBe(false)
    expect(isLocalUrl('//other.example/x.png', base)).toBe(false)
  })
})
