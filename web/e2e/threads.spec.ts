// Threads: history after a reload, switching, renaming, deleting, and one visitor's threads
// hidden from another.
import { Chat, expect, expectSameOrigin, recordRequests, shot, test } from './fixtures'

test('history survives a reload, and switching threads shows each thread', async ({ chat, page }) => {
  await chat.open('/chat/assistant')
  await chat.ask('first topic here')
  await expect(chat.historyEntry('first topic here')).toBeVisible()
  await chat.root.getByRole('button', { name: 'New chat' }).click()
  await expect(chat.root.getByText('Hi! What can I help you with?')).toBeVisible()
  await chat.ask('second topic here')
  await expect(chat.historyEntry('second topic here')).toBeVisible()

  await page.reload()
  // The open thread comes back (its id is in the address), and both threads are listed.
  await expect(chat.userMessages).toHaveText(['second topic here'])
  await expect(chat.lastAssistant).toContainText('Simulated reply to: second topic here')
  await expect(chat.history.getByRole('listitem')).toHaveCount(2)
  await expect(chat.historyEntry('second topic here')).toHaveAttribute('aria-current', 'page')
  await shot(page, 'chat-history')

  await chat.historyEntry('first topic here').click()
  await expect(chat.userMessages).toHaveText(['first topic here'])
  await expect(chat.lastAssistant).toContainText('Simulated reply to: first topic here')
  await expect(chat.title).toHaveText('first topic here')
  await expect(chat.log).not.toContainText('second topic')
  await expect(page).toHaveURL(/\?thread=thr_/)
})

test('a thread can be renamed and deleted, and both stick after a reload', async ({ chat, page }) => {
  await chat.open('/chat/assistant')
  await chat.ask('please rename me')
  await chat.history.getByRole('button', { name: 'Rename “please rename me”' }).click()
  const input = chat.history.getByRole('textbox', { name: 'New title' })
  await expect(input).toBeFocused()
  await input.fill('Holiday plans')
  await shot(page, 'chat-rename')
  await input.press('Enter')
  await expect(chat.historyEntry('Holiday plans')).toBeVisible()
  await expect(chat.title).toHaveText('Holiday plans')

  await page.reload()
  await expect(chat.historyEntry('Holiday plans')).toBeVisible()
  await expect(chat.title).toHaveText('Holiday plans')

  await chat.history.getByRole('button', { name: 'Delete “Holiday plans”' }).click()
  const confirm = chat.history.getByRole('group', { name: 'Delete “Holiday plans”?' })
  await expect(confirm.getByRole('button', { name: 'Delete' })).toBeFocused()
  await shot(page, 'chat-delete')
  await confirm.getByRole('button', { name: 'Delete' }).click()
  await expect(chat.historyEntry('Holiday plans')).toHaveCount(0)
  await expect(chat.root.getByText('No conversations yet.')).toBeVisible()
  await expect(chat.root.getByText('Hi! What can I help you with?')).toBeVisible()

  await page.goto('/chat/assistant')
  await expect(chat.root.getByText('No conversations yet.')).toBeVisible()
})

test('two visitors do not see each other’s threads', async ({ chat, browser, origin }) => {
  await chat.open('/chat/assistant')
  await chat.ask('secret plans of visitor A')
  await expect(chat.page).toHaveURL(/\?thread=thr_/)
  const threadUrl = chat.page.url()

  // A second browser context is a second visitor (its own identity cookie).
  const other = await browser.newContext({ baseURL: origin })
  const urls = recordRequests(other)
  const page = await other.newPage()
  const chatB = new Chat(page)
  await chatB.open('/chat/assistant')
  await expect(chatB.root.getByText('No conversations yet.')).toBeVisible()
  await expect(chatB.root).not.toContainText('secret plans')

  // Even with A's address, B gets nothing of A's thread.
  await page.goto(threadUrl)
  await expect(chatB.error).toContainText(/not found/i)
  await expect(chatB.root).not.toContainText('secret plans')
  await expect(page).toHaveURL(/\/chat\/assistant$/)
  await shot(page, 'chat-other-visitor')
  expectSameOrigin(urls, origin)
  await other.close()

  // A still has it.
  await chat.page.reload()
  await expect(chat.userMessages).toHaveText(['secret plans of visitor A'])
})
