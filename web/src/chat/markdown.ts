// Markdown for assistant text, notices and task content: markdown-it (CommonMark, raw HTML off, so
// HTML in a reply shows as text) and then DOMPurify over its output, so nothing the model says can
// run script. Links open in a new tab without a referrer; images load only from this origin (or
// `data:`), and any other image becomes a plain link, so showing a reply never makes a request
// elsewhere.
import DOMPurify from 'dompurify'
import MarkdownIt from 'markdown-it'

const md = new MarkdownIt({ html: false, linkify: true, typographer: false, breaks: false })

const PURIFY_CONFIG = {
  FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe'],
  FORBID_ATTR: ['style', 'srcset'],
}

/** Whether showing `src` keeps every request on this page's origin. */
export function isLocalUrl(src: string, base: string = document.baseURI): boolean {
  let url: URL
  try {
    url = new URL(src, base)
  } catch {
    return false
  }
  if (url.protocol === 'data:') return /^data:image\/(png|gif|jpe?g|webp);/i.test(src.trim())
  if (url.protocol === 'blob:') return true
  return url.origin === new URL(base).origin
}

/** Renders markdown to a sanitised fragment of the current document. */
export function renderMarkdownFragment(text: string): DocumentFragment {
  const fragment = DOMPurify.sanitize(md.render(text), { ...PURIFY_CONFIG, RETURN_DOM_FRAGMENT: true })
  for (const link of fragment.querySelectorAll('a[href]')) {
    link.setAttribute('target', '_blank')
    link.setAttribute('rel', 'noopener noreferrer nofollow')
  }
  for (const img of fragment.querySelectorAll('img')) {
    const src = img.getAttribute('src') ?? ''
    if (isLocalUrl(src)) continue
    const link = document.createElement('a')
    link.textContent = img.getAttribute('alt') || 'image'
    if (src) {
      link.setAttribute('href', src)
      link.setAttribute('target', '_blank')
      link.setAttribute('rel', 'noopener noreferrer nofollow')
    }
    img.replaceWith(link)
  }
  return fragment
}

/** Renders markdown to sanitised HTML (the fragment, serialised). */
export function renderMarkdown(text: string): string {
  const holder = document.createElement('div')
  holder.append(renderMarkdownFragment(text))
  return holder.innerHTML
}
