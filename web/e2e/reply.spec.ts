// A reply as a person sees it: streamed in pieces, markdown rendered, HTML shown as text,
// sources listed, reasoning shown as thoughts.
import { Chat, expect, shot, slowReply, test } from './fixtures'

test('the start screen greets and offers the agent prompts', async ({ chat }) => {
  await chat.open('/chat/assistant')
  await expect(chat.root.getByText('Hi! What can I help you with?')).toBeVisible()
  await expect(chat.root.getByRole('button', { name: 'Explain a concept' })).toBeVisible()
  await expect(chat.page.getByRole('navigation', { name: 'Agents' }).getByRole('link', { name: /Showcase/ })).toBeVisible()
  await shot(chat.page, 'chat-start')

  await chat.root.getByRole('button', { name: 'Draft an email' }).click()
  await expect(chat.userMessages.first()).toHaveText("Draft a short, polite email asking to move tomorrow's meeting to Friday.")
  await expect(chat.lastAssistant).toContainText("Simulated reply to: Draft a short, polite email asking to move tomorrow's meeting to Friday.")
})

test('a reply streams in: the text grows over several renders before it is complete', async ({ chat }) => {
  await chat.open('/chat/assistant')
  await chat.send('Tell me a long story [[slow]]')
  await expect(chat.stopButton).toBeVisible()

  // Sample what the page shows while the reply streams (40 words, one every 40 ms).
  const seen: string[] = []
  const deadline = Date.now() + 15_000
  while (Date.now() < deadline) {
    const streaming = await chat.stopButton.count()
    const text = (await chat.assistantMessages.count()) > 0 ? await chat.lastAssistant.locator('.ck-md').innerText() : ''
    if (text && seen.at(-1) !== text) seen.push(text)
    if (seen.length === 6) await shot(chat.page, 'chat-streaming')
    if (!streaming) break
    await chat.page.waitForTimeout(50)
  }
  await chat.idle()
  const final = await chat.lastAssistant.locator('.ck-md').innerText()
  expect(final).toBe(slowReply('Tell me a long story [[slow]]'))
  const partial = seen.filter((text) => text !== final)
  expect(partial.length, `partial renders seen: ${JSON.stringify(seen)}`).toBeGreaterThanOrEqual(5)
  for (const text of partial) expect(final.startsWith(text.trimEnd())).toBe(true)
  // The texts only ever grow.
  for (let i = 1; i < seen.length; i++) expect(seen[i]!.length).toBeGreaterThan(seen[i - 1]!.length)
})

test('markdown is rendered, sources are listed, and a <script> in a reply is only text', async ({ chat, page }) => {
  await chat.open('/chat/assistant')
  await chat.ask('Some **bold** and `code` <script>window.__pwned = 1</script> <img src=x onerror="window.__pwned = 2"> [[cite]]')
  const reply = chat.lastAssistant
  await expect(reply.locator('strong')).toHaveText('bold')
  await expect(reply.locator('code')).toHaveText('code')
  // The script and the image are shown as the text they are, and nothing ran.
  await expect(reply).toContainText('<script>window.__pwned = 1</script>')
  await expect(reply).toContainText('<img src=x onerror="window.__pwned = 2">')
  await expect(chat.root.locator('script')).toHaveCount(0)
  await expect(reply.locator('img')).toHaveCount(0)
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined()
  // The [[cite]] annotation is listed as a source.
  const sources = reply.getByRole('region', { name: 'Sources' })
  await expect(sources.getByRole('link', { name: 'Example source' })).toHaveAttribute('href', 'https://example.com/source')
  await expect(sources).toContainText('example.com')
  await shot(page, 'chat-markdown')
})

test('an image from another site is not loaded: it is shown as a link', async ({ chat, page }) => {
  const requested: string[] = []
  page.on('request', (r) => requested.push(r.url()))
  await chat.open('/chat/assistant')
  await chat.ask('![tracking pixel](https://tracker.example/pixel.png)')
  await expect(chat.lastAssistant.getByRole('link', { name: 'tracking pixel' })).toHaveAttribute('href', 'https://tracker.example/pixel.png')
  await expect(chat.lastAssistant.locator('img')).toHaveCount(0)
  expect(requested.filter((url) => url.includes('tracker.example'))).toEqual([])
})

test('reasoning shows as thoughts before the answer', async ({ chat }) => {
  await chat.open('/chat/assistant')
  await chat.ask('Think first [[reason]]')
  const thoughts = chat.root.locator('details.ck-workflow')
  await expect(thoughts.locator('summary')).toHaveText('Thought for a moment')
  await thoughts.locator('summary').click()
  await expect(thoughts).toContainText('Considering the question.')
  await expect(thoughts).toContainText('Planning a short answer.')
  await expect(chat.lastAssistant).toContainText('Simulated reply to: Think first')
})

test('the status page links to the chat', async ({ page }) => {
  await page.goto('/')
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('chatkit-rs')
  await page.getByRole('link', { name: 'Open the chat' }).click()
  await expect(page).toHaveURL(/\/chat$/)
  await expect(new Chat(page).composer).toBeVisible()
})

test('one script and one tag give a working chat on any page of the origin', async ({ page }) => {
  // A host page of our own, served at a path of the server's origin.
  await page.route('**/host-page.html', (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><html lang="en"><head><title>Host page</title></head><body style="margin:0;padding:16px;background:#0d1117">
<script src="/chatkit-rs.js"></script>
<chatkit-rs-chat api-url="/chatkit/assistant" theme="dark" style="height:560px"></chatkit-rs-chat>
</body></html>`,
    }),
  )
  await page.goto('/host-page.html')
  const chat = new Chat(page)
  await expect(chat.composer).toBeVisible()
  await expect(chat.root.getByText('What can I help with today?')).toBeVisible()
  await chat.ask('Hello from an embedding page')
  await expect(chat.lastAssistant).toContainText('Simulated reply to: Hello from an embedding page')
  // The dark theme asked for by the attribute.
  const background = await chat.root.locator('.ck-root').evaluate((el) => getComputedStyle(el).backgroundColor)
  expect(background).toBe('rgb(13, 17, 23)')
  await shot(page, 'embed-dark')
})

test('setOptions configures the element like the official one, with client tool handlers', async ({ page }) => {
  await page.route('**/host-options.html', (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><html lang="en"><head><title>Options page</title></head><body>
<script src="/chatkit-rs.js"></script>
<chatkit-rs-chat style="height:560px"></chatkit-rs-chat>
<script>
  document.querySelector('chatkit-rs-chat').setOptions({
    api: { url: '/chatkit/assistant', fetch: (url, init) => { window.hostFetches = (window.hostFetches || 0) + 1; return fetch(url, init) } },
    theme: { colorScheme: 'light', color: { accent: { primary: '#8250df' } } },
    startScreen: { greeting: 'Welcome to the options page', prompts: [{ label: 'Which page?', prompt: 'Which page is this? [[tool:get_page_info]]' }] },
    composer: { placeholder: 'Ask the options page' },
    history: { enabled: false },
    clientTools: { get_page_info: () => ({ title: document.title }) },
  })
</script></body></html>`,
    }),
  )
  const protocolRequests: string[] = []
  page.on('request', (r) => {
    if (r.url().endsWith('/chatkit/assistant')) protocolRequests.push((JSON.parse(r.postData() ?? '{}') as { type?: string }).type ?? '?')
  })
  await page.goto('/host-options.html')
  const chat = new Chat(page)
  await expect(chat.root.getByText('Welcome to the options page')).toBeVisible()
  await expect(chat.composer).toHaveAttribute('placeholder', 'Ask the options page')
  await expect(chat.history).toHaveCount(0)
  await chat.root.getByRole('button', { name: 'Which page?' }).click()
  await expect(chat.lastAssistant).toContainText('The tool get_page_info returned: {"title":"Options page"}')
  // Every request went through the page's api.fetch: the message, then the tool's output.
  expect(protocolRequests).toEqual(['threads.create', 'threads.add_client_tool_output'])
  expect(await page.evaluate(() => (window as unknown as { hostFetches?: number }).hostFetches)).toBe(protocolRequests.length)
})
