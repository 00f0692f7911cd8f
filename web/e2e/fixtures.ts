// What every browser test shares: a `chat` page object for the chat UI (inside the element's
// shadow root, which Playwright's locators pierce), screenshots into docs/screenshots/, and a
// check after each test that no request of the page left the server's origin.
import { test as base, expect, type BrowserContext, type Locator, type Page } from '@playwright/test'
import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'

const SCREENSHOTS = resolve(process.env.CHATKIT_SCREENSHOTS_DIR ?? join(import.meta.dirname, '../../docs/screenshots'))

/** Saves a screenshot of the page as docs/screenshots/<name>.png. */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true })
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), animations: 'disabled', caret: 'hide' })
}

/** Records every request the pages of a context make. */
export function recordRequests(context: BrowserContext): string[] {
  const urls: string[] = []
  context.on('request', (request) => urls.push(request.url()))
  return urls
}

/** Asserts that every recorded request went to `origin` (or stayed in the page: data:, blob:). */
export function expectSameOrigin(urls: string[], origin: string): void {
  const foreign = urls.filter((url) => !url.startsWith('data:') && !url.startsWith('blob:') && new URL(url).origin !== origin)
  expect(foreign, 'requests that left the origin').toEqual([])
}

/** The chat as a person sees it. */
export class Chat {
  readonly page: Page
  readonly root: Locator

  constructor(page: Page, root?: Locator) {
    this.page = page
    this.root = root ?? page.locator('chatkit-rs-chat')
  }

  get composer(): Locator {
    return this.root.getByRole('textbox', { name: 'Message', exact: true })
  }
  get sendButton(): Locator {
    return this.root.getByRole('button', { name: 'Send message' })
  }
  get stopButton(): Locator {
    return this.root.getByRole('button', { name: 'Stop' })
  }
  get log(): Locator {
    return this.root.getByRole('log', { name: 'Conversation' })
  }
  get assistantMessages(): Locator {
    return this.root.getByRole('article', { name: 'Assistant' })
  }
  get userMessages(): Locator {
    return this.root.getByRole('article', { name: 'You' })
  }
  get lastAssistant(): Locator {
    return this.assistantMessages.last()
  }
  get history(): Locator {
    return this.root.getByRole('navigation', { name: 'Conversations' })
  }
  get title(): Locator {
    return this.root.getByRole('heading', { level: 2 }).last()
  }
  get error(): Locator {
    return this.root.locator('.ck-error')
  }
  historyEntry(title: string): Locator {
    return this.history.getByRole('button', { name: title, exact: true })
  }

  /** Opens the chat page (optionally for one agent) and waits for the composer. */
  async open(path = '/chat'): Promise<void> {
    await this.page.goto(path)
    await expect(this.composer).toBeVisible()
  }

  /** Types a message and sends it with Enter. */
  async send(text: string): Promise<void> {
    await this.composer.fill(text)
    await this.composer.press('Enter')
  }

  /** Waits until no reply is streaming (the Send button is back). */
  async idle(): Promise<void> {
    await expect(this.stopButton).toHaveCount(0, { timeout: 15_000 })
    await expect(this.log).not.toHaveAttribute('aria-busy', 'true')
  }

  /** Sends a message and waits for the reply to finish. */
  async ask(text: string): Promise<void> {
    const before = await this.assistantMessages.count()
    await this.send(text)
    await expect(this.assistantMessages).toHaveCount(before + 1, { timeout: 15_000 })
    await this.idle()
  }
}

interface Fixtures {
  chat: Chat
  origin: string
}

/** `test` with a `chat` on a fresh identity, and the same-origin check after every test. */
export const test = base.extend<Fixtures>({
  origin: async ({ baseURL }, use) => {
    if (!baseURL) throw new Error('CHATKIT_E2E_URL is not set: the global setup did not start the server')
    await use(new URL(baseURL).origin)
  },
  page: async ({ page, origin }, use) => {
    const urls = recordRequests(page.context())
    const dialogs: string[] = []
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    // Console errors too (a CSP refusal shows only there), except the browser's own note about
    // an HTTP error reply, which some tests cause on purpose.
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(message.text())
    })
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message())
      void dialog.dismiss()
    })
    await use(page)
    expect(dialogs, 'no alert or other dialog was opened').toEqual([])
    expect(errors, 'no uncaught error or console error in the page').toEqual([])
    expectSameOrigin(urls, origin)
    expect(urls.length, 'the page made requests').toBeGreaterThan(0)
  },
  chat: async ({ page }, use) => {
    await use(new Chat(page))
  },
})

export { expect }

/**
 * The whole reply the simulator streams for a `[[slow]]` message: `Simulated reply to: <text>`
 * padded with `word1 word2 …` to 40 words (docs/simulator.md), one word per 40 ms.
 */
export function slowReply(userText: string): string {
  const text = userText.replace(/\[\[[^\]]*\]\]/g, ' ').replace(/\s+/g, ' ').trim()
  const words = ['Simulated', 'reply', 'to:', ...text.split(' ')]
  for (let i = 1; words.length < 40; i++) words.push(`word${i}`)
  return words.join(' ')
}
