import type { Browser } from 'playwright-core';
import type { OrganizationDto } from '../../server/src/contract';
import { api, register } from '../helpers/api';
import { launchBrowser, newPage, signInWithToken } from '../helpers/browser';
import { startServer, type StartedServer } from '../helpers/server-process';

jest.setTimeout(120_000);

describe('links, sign-up and the session cookie, as people see them', () => {
  let server: StartedServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('an owner sees the organisation’s links and revokes one; the link then says it was revoked', async () => {
    const owner = await register(server.url, 'Grace Owner');
    const org = (await api(server.url).post<OrganizationDto>('/api/organizations', { name: 'Revocable Society' }, owner.accessToken)).body;
    const { context, page } = await newPage(browser, { baseURL: server.url });
    await signInWithToken(context, owner.refreshToken);
    await page.goto(`/organizations/${org.id}/invitations`);
    await page.getByLabel('Maximum number of people (optional)').fill('5');
    await page.getByRole('button', { name: 'Create invitation link' }).click();
    const url = await page.getByTestId('invite-url').inputValue();
    const row = page.getByTestId('invite-link-row').first();
    await row.getByText('used by 0 of 5').waitFor();
    expect(await row.getAttribute('data-status')).toBe('pending');
    page.once('dialog', (d) => void d.accept());
    await row.getByTestId('invite-link-revoke').click();
    await page.locator('[data-testid="invite-link-row"][data-status="revoked"]').waitFor();

    const { page: visitor } = await newPage(browser, { baseURL: server.url });
    await visitor.goto(new URL(url).pathname);
    await visitor.locator('[data-testid="error"][data-code="INVITE_REVOKED"]').getByText('This invitation link has been revoked.').waitFor();
    // The refresh token lives in an HttpOnly cookie: nothing of it is readable by the page.
    expect(await page.evaluate(() => JSON.stringify({ ...localStorage }) + document.cookie)).not.toContain(owner.refreshToken.slice(0, 12));
    await context.close();
  });

  it('signing up with an address that already has an account tells nothing more than a sign-in would', async () => {
    const taken = await register(server.url, 'Already Here');
    const { page } = await newPage(browser, { baseURL: server.url });
    await page.goto('/sign-up');
    await page.getByLabel('Your name').fill('Someone Else');
    await page.getByLabel('Email address').fill(taken.user.email);
    await page.getByLabel('Password', { exact: true }).fill('a different long passphrase');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByTestId('sign-up-check-mail').waitFor();
    // A weak password is refused with a reason, whatever the address.
    await page.getByLabel('Password', { exact: true }).fill('password12');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.locator('[data-testid="error"][data-code="WEAK_PASSWORD"]').waitFor();
  });
});
