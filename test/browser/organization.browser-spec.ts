import type { OrganizationDto, SessionDto } from '../../server/src/contract';
import type { Browser, Page } from 'playwright-core';
import { api, register } from '../helpers/api';
import { launchBrowser, newPage, screenshot } from '../helpers/browser';
import { startServer, type StartedServer } from '../helpers/server-process';

jest.setTimeout(120_000);

async function signIn(page: Page, email: string): Promise<void> {
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill('a long enough password');
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe('an owner runs an organisation and a colleague joins by invitation', () => {
  let server: StartedServer;
  let browser: Browser;
  let owner: Page;
  let guest: Page;
  let ownerSession: SessionDto;
  let org: OrganizationDto;
  let inviteUrl: string;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    ({ page: owner } = await newPage(browser, { baseURL: server.url }));
    ({ page: guest } = await newPage(browser, { baseURL: server.url }));
    ownerSession = await register(server.url, 'Grace Owner');
    const created = await api(server.url).post<OrganizationDto>(
      '/api/organizations',
      { name: 'Association of Research Libraries', description: 'Annual general meeting and standards votes.' },
      ownerSession.accessToken,
    );
    org = created.body;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('brings the owner back to the organisation page after signing in', async () => {
    await owner.goto(`/organizations/${org.id}`);
    await owner.waitForURL(/\/sign-in\?next=/);
    await signIn(owner, ownerSession.user.email);
    await owner.waitForURL(`**/organizations/${org.id}/institutions`);
    expect(await owner.getByTestId('org-name').textContent()).toBe(org.name);
  });

  it('adds a member institution with its country and vote weight', async () => {
    await owner.getByRole('button', { name: 'Add institution' }).click();
    await owner.getByText('This field is required.').first().waitFor();
    await owner.getByLabel('Institution name').fill('Biblioteca Nacional de España');
    await owner.getByLabel('Country').selectOption('ES');
    await owner.getByLabel('Vote weight').fill('3');
    await owner.getByRole('button', { name: 'Add institution' }).click();
    const card = owner.getByTestId('institution-item').filter({ hasText: 'Biblioteca Nacional de España' });
    await card.waitFor();
    expect(await card.getByTestId('institution-country').textContent()).toBe('Spain (ES)');
    expect(await card.getByTestId('institution-weight').textContent()).toBe('Vote weight: 3');
    expect(await owner.getByTestId('institutions-summary').textContent()).toContain('Total vote weight: 3');
  });

  it('creates an invitation link that makes the invitee a delegate', async () => {
    await owner.getByRole('link', { name: 'Invitations' }).click();
    await owner.getByLabel('Link valid for').selectOption('168');
    await owner.getByLabel('Delegate of (optional)').selectOption({ label: 'Biblioteca Nacional de España' });
    await owner.getByRole('button', { name: 'Create invitation link' }).click();
    inviteUrl = await owner.getByTestId('invite-url').inputValue();
    expect(inviteUrl).toMatch(/\/invite\/[^/]+$/);
    await screenshot(owner, 'org-01-invitation-en');
  });

  it('lets a new colleague preview the invitation, sign up and accept it', async () => {
    await guest.goto(new URL(inviteUrl).pathname);
    await guest.getByTestId('invitation-preview').getByText(org.name).waitFor();
    await guest.getByRole('link', { name: 'Create an account to accept' }).click();
    await guest.getByLabel('Your name').fill('Miguel Delegado');
    await guest.getByLabel('Email address').fill(`miguel.${Date.now()}@example.org`);
    await guest.getByLabel('Password', { exact: true }).fill('a long enough password');
    await guest.getByRole('button', { name: 'Create account' }).click();
    await guest.getByRole('button', { name: 'Accept invitation' }).click();
    await guest.waitForURL(`**/organizations/${org.id}/institutions`);
    await guest.getByTestId('org-name').waitFor();
  });

  it('shows the owner the new delegate and who is online, live', async () => {
    await owner.getByRole('link', { name: 'Institutions' }).click();
    const card = owner.getByTestId('institution-item').filter({ hasText: 'Biblioteca Nacional de España' });
    await card.getByTestId('delegate-list').getByText('Miguel Delegado').waitFor();
    await owner.getByTestId('online-count').getByText('Online now: 2').waitFor();
    await owner.getByRole('link', { name: 'Members' }).click();
    // The list renders after its request: wait for the second row, then count (a third would fail).
    await owner.getByTestId('member-row').nth(1).waitFor();
    expect(await owner.getByTestId('member-row').count()).toBe(2);
    await screenshot(owner, 'org-02-members-en');
  });

  it('lays the organisation page out right to left in Arabic', async () => {
    await owner.getByLabel('Language').selectOption('ar');
    await owner.getByRole('heading', { level: 2, name: 'الأعضاء' }).waitFor();
    expect(await owner.evaluate(() => document.dir)).toBe('rtl');
    await screenshot(owner, 'org-03-members-ar');
    await owner.getByRole('link', { name: 'الهيئات الأعضاء' }).click();
    await owner.getByTestId('institution-item').waitFor();
    await screenshot(owner, 'org-04-institutions-ar');
  });
});
