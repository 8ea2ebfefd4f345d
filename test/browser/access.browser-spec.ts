/**
 * What a secretary and a member meet: a forgotten password reset through the mailed link (a real
 * SMTP server here), and the list of personal delegate invitations with their labels, status and
 * Revoke button.
 */
import type { Browser } from 'playwright-core';
import type { InstitutionDto, OrganizationDto } from '../../server/src/contract';
import { api, register } from '../helpers/api';
import { launchBrowser, newPage, screenshot, signInWithToken } from '../helpers/browser';
import { startServer, type StartedServer } from '../helpers/server-process';
import { resetToken, startSmtp } from '../helpers/smtp';

jest.setTimeout(120_000);

describe('forgotten password and delegate invitations in the browser', () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let server: StartedServer;
  let browser: Browser;

  beforeAll(async () => {
    smtp = await startSmtp();
    server = await startServer({ env: { SMTP_URL: smtp.url } });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await smtp?.close();
  });

  it('sign-in page → Forgot → mail → new password → signed in; the old password no longer works', async () => {
    const ada = await register(server.url, 'Ada Forgetful');
    const { page } = await newPage(browser, { baseURL: server.url });
    await page.goto('/sign-in');
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByLabel('Email address').fill(ada.user.email);
    await page.getByRole('button', { name: 'Send the link' }).click();
    await page.getByTestId('forgot-sent').getByText('a link to reset its password is on its way').waitFor();

    const mail = await smtp.next();
    const link = new URL(mail.text!.match(/https?:\/\/\S+\/reset-password#\S+/)![0]);
    expect(link.hash).toBe(`#${resetToken(mail)}`);
    await page.goto(`${link.pathname}${link.hash}`);
    await page.getByLabel('New password', { exact: true }).fill('a brand new passphrase');
    await page.getByRole('button', { name: 'Save the new password' }).click();
    await page.getByTestId('current-user').getByText('Ada Forgetful').waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    await screenshot(page, 'access-01-after-reset');

    const http = api(server.url);
    expect((await http.post('/api/auth/sign-in', { email: ada.user.email, password: 'a long enough password' })).status).toBe(401);
    expect((await http.post('/api/auth/sign-in', { email: ada.user.email, password: 'a brand new passphrase' })).status).toBe(200);
    expect((await http.get('/api/me', ada.accessToken)).status).toBe(401);
  });

  it('lists a personal delegate link with its institution, invitee and status, and revokes it', async () => {
    const owner = await register(server.url, 'Secretary');
    const http = api(server.url);
    const org = (await http.post<OrganizationDto>('/api/organizations', { name: 'Library Association' }, owner.accessToken)).body;
    await http.post<InstitutionDto>(`/api/organizations/${org.id}/institutions`, { name: 'Royal Library', country: 'NL' }, owner.accessToken);
    const { context, page } = await newPage(browser, { baseURL: server.url });
    await signInWithToken(context, owner.refreshToken);
    await page.goto(`/organizations/${org.id}/invitations`);
    await page.getByLabel('Delegate of (optional)').selectOption({ label: 'Royal Library' });
    await page.getByLabel('Invitee’s name (optional)').fill('Anna de Vries');
    await page.getByLabel('Invitee’s email address (optional)').fill('anna@royal.example');
    await page.getByRole('button', { name: 'Create invitation link' }).click();
    await page.getByTestId('invite-url').waitFor();

    const row = page.getByTestId('invite-link-row').filter({ hasText: 'Anna de Vries' });
    await row.waitFor();
    expect(await row.textContent()).toContain('Royal Library');
    expect(await row.getAttribute('data-status')).toBe('pending');
    // Still there after a reload: the list comes from the server.
    await page.reload();
    await row.waitFor();
    page.once('dialog', (d) => void d.accept());
    await row.getByRole('button', { name: /Revoke/ }).click();
    await page.getByTestId('invite-link-row').and(page.locator('[data-status="revoked"]')).filter({ hasText: 'Anna de Vries' }).waitFor();
    await screenshot(page, 'access-02-invitations');
  });
});
