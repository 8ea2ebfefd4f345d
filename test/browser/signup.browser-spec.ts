import type { Browser, Page } from 'playwright-core';
import { launchBrowser, newPage, screenshot } from '../helpers/browser';
import { startServer, type StartedServer } from '../helpers/server-process';

jest.setTimeout(120_000);

describe('a new visitor signs up and creates an organisation', () => {
  let server: StartedServer;
  let browser: Browser;
  let page: Page;
  const orgName = 'Nordic Library Association';

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    ({ page } = await newPage(browser, { baseURL: server.url }));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('sends a visitor without a session to the sign-in page', async () => {
    await page.goto('/');
    await page.waitForURL('**/sign-in');
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    // A newcomer learns what this is before being asked for an account.
    expect(await page.getByTestId('about').textContent()).toMatch(/library association.*votes/);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    await screenshot(page, 'signup-01-sign-in');
  });

  it('shows translated validation errors from the contract schema', async () => {
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByRole('heading', { level: 1, name: 'Create your account' }).waitFor();
    await page.getByLabel('Your name').fill('Ada Lovelace');
    await page.getByLabel('Email address').fill('not-an-email');
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('Enter a valid email address.').waitFor();
    await page.getByText('Use at least 10 characters.').waitFor();
    expect(await page.getByLabel('Password', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'signup-02-validation');
  });

  it('signs up and lands on an empty list of organisations', async () => {
    await page.getByLabel('Email address').fill(`ada.${Date.now()}@example.org`);
    await page.getByLabel('Password', { exact: true }).fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { level: 1, name: 'Your organisations' }).waitFor();
    expect(await page.getByTestId('current-user').textContent()).toBe('Ada Lovelace');
    expect(await page.getByTestId('org-item').count()).toBe(0);
  });

  it('creates an organisation, opens it, and lists it with the owner role', async () => {
    await page.getByLabel('Organisation name').fill(orgName);
    await page.getByLabel('Description (optional)').fill('Members meet twice a year to vote on standards.');
    await page.getByRole('button', { name: 'Create organisation' }).click();
    // The new organisation opens: that is where its rooms, members and invitations are set up.
    await page.getByRole('heading', { level: 1, name: orgName }).waitFor();
    expect(page.url()).toMatch(/\/organizations\/[0-9a-f-]{36}\/institutions$/);
    await page.getByRole('link', { name: 'All organisations' }).click();
    const item = page.getByTestId('org-item').filter({ hasText: orgName });
    await item.waitFor();
    expect(await item.textContent()).toContain('Owner');
    await screenshot(page, 'signup-03-organisation-listed');
  });

  it('keeps the session across a reload', async () => {
    await page.reload();
    await page.getByTestId('org-item').filter({ hasText: orgName }).waitFor();
  });

  it('switches to Simplified Chinese', async () => {
    await page.getByLabel('Language').selectOption('zh');
    await page.getByRole('heading', { level: 1, name: '你的组织' }).waitFor();
    expect(await page.evaluate(() => [document.documentElement.lang, document.dir])).toEqual(['zh-Hans', 'ltr']);
    await screenshot(page, 'signup-04-zh');
  });

  it('switches to Arabic and lays the page out right to left', async () => {
    await page.getByLabel('语言').selectOption('ar');
    await page.getByRole('heading', { level: 1, name: 'مؤسساتك' }).waitFor();
    expect(await page.evaluate(() => [document.documentElement.lang, document.dir])).toEqual(['ar', 'rtl']);
    const brand = await page.getByRole('link', { name: 'Quorum' }).boundingBox();
    expect(brand!.x).toBeGreaterThan(640);
    await screenshot(page, 'signup-05-ar');
  });

  it('remembers the chosen language after a reload', async () => {
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'مؤسساتك' }).waitFor();
    expect(await page.evaluate(() => document.dir)).toBe('rtl');
  });
});
