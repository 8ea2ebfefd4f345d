/**
 * Signing in with one's library account: the sign-in page offers the organisation's identity provider
 * (a real OpenID Connect provider, started here), the provider's own login form takes the password,
 * and the browser comes back to Quorum signed in as the linked member, the organisation listed with
 * the member role. A refusal comes back to the sign-in page, said in the reader's language.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { OrganizationDto } from '../../server/src/contract';
import { api, register } from '../helpers/api';
import { launchBrowser, newPage, screenshot } from '../helpers/browser';
import { startOidcProvider, type TestProvider } from '../helpers/oidc-provider';
import { freePort, type StartedServer, startServer } from '../helpers/server-process';

jest.setTimeout(120_000);

describe('signing in through the organisation’s identity provider', () => {
  let server: StartedServer;
  let idp: TestProvider;
  let browser: Browser;
  const orgName = 'Baltic Library Consortium';
  const tag = Date.now();

  beforeAll(async () => {
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    idp = await startOidcProvider({ redirectUri: `${publicUrl}/api/auth/oidc/callback` });
    server = await startServer({ env: { PORT: String(port), PUBLIC_URL: publicUrl } });
    const http = api(server.url);
    const owner = await register(server.url, 'Consortium Owner');
    const org = (await http.post<OrganizationDto>('/api/organizations', { name: orgName }, owner.accessToken)).body;
    const saved = await http.call(
      'PUT',
      `/api/organizations/${org.id}/sign-in-provider`,
      { slug: 'baltic', issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, joinAsMember: true },
      owner.accessToken,
    );
    expect(saved.status).toBe(200);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await idp?.stop();
  });

  /** A fresh browser; the provider's login page asks for web fonts, which this machine cannot reach. */
  async function freshPage(locale?: string): Promise<{ context: BrowserContext; page: Page }> {
    const opened = await newPage(browser, { baseURL: server.url, ...(locale ? { locale } : {}) });
    await opened.context.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => route.abort());
    return opened;
  }

  async function atProvider(page: Page, login: string): Promise<void> {
    await page.waitForURL(`${idp.issuer}/interaction/**`);
    await page.locator('input[name="login"]').fill(login);
    await page.locator('input[name="password"]').fill('the library password');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
  }

  it('signs in with the library account and lands as the linked member of the organisation', async () => {
    await idp.setAccount('marta', { email: `marta.${tag}@baltic.example.org`, email_verified: true, name: 'Marta Kowalska' });
    const { context, page } = await freshPage();
    await page.goto('/sign-in');
    const button = page.getByRole('link', { name: `Sign in with ${orgName}` });
    await button.waitFor();
    await screenshot(page, 'institutional-01-sign-in');
    await button.click();
    await atProvider(page, 'marta');

    await page.getByRole('heading', { level: 1, name: 'Your organisations' }).waitFor();
    expect(new URL(page.url()).origin).toBe(server.url);
    expect(await page.getByTestId('current-user').textContent()).toBe('Marta Kowalska');
    await page.getByTestId('org-item').filter({ hasText: orgName }).waitFor();
    await page.getByTestId('org-item').filter({ hasText: orgName }).getByRole('link').first().click();
    await page.getByTestId('org-name').filter({ hasText: orgName }).waitFor();
    expect(await page.locator('.badge-member').first().textContent()).toBe('Member');
    await screenshot(page, 'institutional-02-member');
    // The session survives a reload, as a password session does (the HttpOnly cookie is the session).
    await page.reload();
    await page.getByTestId('current-user').filter({ hasText: 'Marta Kowalska' }).waitFor();
    await context.close();
  });

  it('comes back to the sign-in page with the refusal in the reader’s language', async () => {
    // Someone already has this address; the provider does not vouch for it: never linked.
    const taken = await register(server.url, 'Existing Member');
    await idp.setAccount('lookalike', { email: taken.user.email, email_verified: false, name: 'Look Alike' });
    const { context, page } = await freshPage('zh-CN');
    await page.goto('/sign-in');
    await page.getByRole('link', { name: `通过${orgName}登录` }).click();
    await atProvider(page, 'lookalike');
    await page.waitForURL('**/sign-in?signInError=SIGN_IN_EMAIL_UNVERIFIED');
    const alert = page.getByTestId('error');
    await alert.waitFor();
    expect(await alert.getAttribute('data-code')).toBe('SIGN_IN_EMAIL_UNVERIFIED');
    expect(await alert.textContent()).toContain('您所在的机构未确认该地址属于您');
    expect(await page.evaluate(() => localStorage.getItem('quorum.signedIn'))).toBeNull();
    await screenshot(page, 'institutional-03-refused');
    await context.close();
  });
});
