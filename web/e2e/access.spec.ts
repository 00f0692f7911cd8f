// Keyboard use, screen-reader labels, and the light and dark themes.
import { expect, shot, slowReply, test } from './fixtures'

test('the chat can be used from the keyboard alone', async ({ chat, page }) => {
  await chat.open('/chat/assistant')
  await chat.composer.focus()
  await page.keyboard.type('First line')
  await page.keyboard.press('Shift+Enter')
  await page.keyboard.type('second line [[slow]]')
  await page.keyboard.press('Enter')
  await expect(chat.userMessages.first()).toHaveText('First line\nsecond line [[slow]]')
  await expect(chat.lastAssistant).toContainText('word3')
  // Escape stops the reply.
  await page.keyboard.press('Escape')
  await expect(chat.sendButton).toBeVisible()
  await expect(chat.lastAssistant.locator('.ck-md')).not.toHaveText(slowReply('First line second line [[slow]]'))

  // Tab reaches the reply's actions, and Enter presses them.
  const good = chat.lastAssistant.getByRole('button', { name: 'Good response' })
  await good.focus()
  await page.keyboard.press('Enter')
  await expect(good).toHaveAttribute('aria-pressed', 'true')
  await page.keyboard.press('Shift+Tab')
  await expect(chat.lastAssistant.getByRole('button', { name: 'Copy message' })).toBeFocused()
})

test('landmarks and labels name every part of the chat', async ({ chat }) => {
  await chat.open('/chat/assistant')
  await expect(chat.root.getByRole('navigation', { name: 'Conversations' })).toBeVisible()
  await expect(chat.root.getByRole('region', { name: 'Chat' })).toBeVisible()
  await expect(chat.root.getByRole('form', { name: 'Message composer' })).toBeVisible()
  await expect(chat.root.getByRole('button', { name: 'Hide conversations' })).toHaveAttribute('aria-expanded', 'true')
  await chat.ask('Label check')
  await expect(chat.log).toHaveAttribute('aria-live', 'polite')
  await expect(chat.lastAssistant.getByRole('group', { name: 'Message actions' })).toBeVisible()
  await chat.root.getByRole('button', { name: 'Hide conversations' }).click()
  await expect(chat.history).toHaveCount(0)
  await chat.root.getByRole('button', { name: 'Show conversations' }).click()
  await expect(chat.history).toBeVisible()
})

test('the theme switch gives light and dark chats', async ({ chat, page }) => {
  await chat.open('/chat/assistant')
  const background = () => chat.root.locator('.ck-root').evaluate((el) => getComputedStyle(el).backgroundColor)
  expect(await background()).toBe('rgb(255, 255, 255)')
  await page.getByRole('combobox', { name: 'Theme' }).selectOption('dark')
  await expect.poll(background).toBe('rgb(13, 17, 23)')
  await chat.ask('How does the dark theme look? **Bold** and `code`. [[cite]]')
  await shot(page, 'chat-dark')
  // The choice is remembered.
  await page.reload()
  await expect.poll(background).toBe('rgb(13, 17, 23)')
  await page.getByRole('combobox', { name: 'Theme' }).selectOption('light')
  await expect.poll(background).toBe('rgb(255, 255, 255)')
})
