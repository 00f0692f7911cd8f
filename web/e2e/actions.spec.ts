// What a person does with a reply: stop it, retry it, rate it; and a client tool the page answers.
import { expect, shot, slowReply, test } from './fixtures'

test('stop mid-stream keeps the partial text, also after a reload', async ({ chat, page }) => {
  await chat.open('/chat/assistant')
  const message = 'A very long answer please [[slow]]'
  const full = slowReply(message)
  await chat.send(message)
  await expect(chat.lastAssistant).toContainText('word5')
  await chat.stopButton.click()
  await expect(chat.sendButton).toBeVisible()
  const shown = await chat.lastAssistant.locator('.ck-md').innerText()
  expect(shown).toMatch(/^Simulated reply to: A very long answer please word1/)
  expect(shown.length).toBeLessThan(full.length)
  // Nothing more arrives after Stop.
  await page.waitForTimeout(600)
  expect(await chat.lastAssistant.locator('.ck-md').innerText()).toBe(shown)
  await shot(page, 'chat-stopped')

  await page.reload()
  await expect(chat.userMessages).toHaveText(['A very long answer please [[slow]]'])
  const kept = await chat.lastAssistant.locator('.ck-md').innerText()
  // The server kept what it had sent when the connection closed: at least what was shown.
  expect(kept.startsWith(shown.trimEnd())).toBe(true)
  expect(kept.length).toBeLessThan(full.length)
})

test('retry answers the last message again and drops the old answer', async ({ chat, page }) => {
  await chat.open('/chat/assistant')
  const message = 'Answer slowly please [[slow]]'
  const full = slowReply(message)
  await chat.ask(message)
  await expect(chat.lastAssistant.locator('.ck-md')).toHaveText(full)

  await chat.lastAssistant.getByRole('button', { name: 'Retry' }).click()
  // The old answer goes at once and a new one streams in.
  await expect(chat.stopButton).toBeVisible()
  await expect(chat.assistantMessages).toHaveCount(1)
  await expect(chat.lastAssistant.locator('.ck-md')).not.toHaveText(full)
  await chat.idle()
  await expect(chat.lastAssistant.locator('.ck-md')).toHaveText(full)
  await expect(chat.userMessages).toHaveCount(1)
  await expect(chat.assistantMessages).toHaveCount(1)

  await page.reload()
  await expect(chat.userMessages).toHaveCount(1)
  await expect(chat.assistantMessages).toHaveCount(1)
})

test('feedback on a reply is sent and shown', async ({ chat, page }) => {
  await chat.open('/chat/assistant')
  await chat.ask('Rate this answer')
  const good = chat.lastAssistant.getByRole('button', { name: 'Good response' })
  const bad = chat.lastAssistant.getByRole('button', { name: 'Bad response' })
  await expect(good).toHaveAttribute('aria-pressed', 'false')
  const sent = page.waitForResponse((r) => r.url().endsWith('/chatkit/assistant') && (r.request().postData() ?? '').includes('"items.feedback"'))
  await good.click()
  expect((await sent).status()).toBe(200)
  await expect(good).toHaveAttribute('aria-pressed', 'true')
  await expect(bad).toHaveAttribute('aria-pressed', 'false')
  await expect(chat.lastAssistant.getByRole('status')).toHaveText('Thanks for your feedback.')
  await shot(page, 'chat-feedback')
  await bad.click()
  await expect(bad).toHaveAttribute('aria-pressed', 'true')
  await expect(good).toHaveAttribute('aria-pressed', 'false')
})

test('a client tool round trip: the page answers and the reply resumes', async ({ chat, page }) => {
  await chat.open('/chat/assistant')
  await chat.send('What page am I on? [[tool:get_page_info]]')
  await expect(chat.root.getByText('Used the tool get_page_info')).toBeVisible()
  await expect(chat.lastAssistant).toContainText('The tool get_page_info returned: {"title":"Assistant · chatkit-rs","url":"')
  await chat.idle()
  await chat.root.locator('.ck-tool summary').click()
  await expect(chat.root.locator('.ck-tool pre')).toContainText('"title": "Assistant · chatkit-rs"')
  await shot(page, 'chat-client-tool')

  // The completed call is stored: after a reload it is shown as done, not pending.
  await page.reload()
  await expect(chat.root.getByText('Used the tool get_page_info')).toBeVisible()
  await expect(chat.root.getByText(/Running the tool/)).toHaveCount(0)
})
