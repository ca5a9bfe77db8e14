import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM, SKIP_BROWSER, until } from '../support/browser';
import type { Browser, Locator, Page } from 'playwright-core';
import { loadTestConfig } from '../../src/config';
import { createLogger } from '../../src/common/logger';
import { startServer } from '../../src/server';
import type { RunningServer } from '../../src/server';

/**
 * One thread end to end in a real browser: the GP accepts the suggestion (draft referral + Goals + CarePlan in
 * one transaction), the physiotherapist tailors the plan activity by activity (exclude with a reason, adapt a
 * dose, an out-of-range dose refused with a message), sets the goals and accepts, marks progress, prints the
 * patient's schedule in the patient's language and records the evaluation. Screenshots in
 * test-output/screenshots/physio-*.png; the page must not log a console error or warning.
 */

jest.setTimeout(180_000);

const SKIP = SKIP_BROWSER;
const suite = SKIP ? describe.skip : describe;
const SCREENSHOTS = path.join(__dirname, '..', '..', 'test-output', 'screenshots');

interface Stored {
  resourceType: string;
  id: string;
  status?: string;
  lifecycleStatus?: string;
  supportingInfo?: { reference?: string }[];
  activity?: {
    detail?: { status?: string; code?: { text?: string }; statusReason?: { text?: string }; extension?: unknown[] };
  }[];
  meta?: { versionId?: string };
}

let server: RunningServer;
let browser: Browser;
let page: Page;
const problems: string[] = [];
const cleanups: (() => Promise<void>)[] = [];

async function shot(name: string, fullPage = true): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `physio-${name}.png`), fullPage });
}

async function statusMatching(pattern: RegExp): Promise<string> {
  let text = '';
  await until(`status ${String(pattern)}`, async () => {
    text = (await page.textContent('#status')) ?? '';
    return pattern.test(text);
  });
  return text;
}

async function getJson<T>(pathAndQuery: string): Promise<T> {
  const res = await fetch(`${server.url}${pathAndQuery}`, { headers: { Accept: 'application/fhir+json' } });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

async function search(type: string, patient: string): Promise<Stored[]> {
  const bundle = await getJson<{ entry?: { resource: Stored }[] }>(`/fhir/${type}?subject=Patient/${patient}`);
  return (bundle.entry ?? []).map((entry) => entry.resource);
}

const plan = (): Locator => page.locator('#careplans .careplan').first();
const activity = (name: string): Locator =>
  plan().locator('.activity', { has: page.locator('.activity__name', { hasText: name }) });

/** Saves one activity and waits for the page to show the new version. */
async function saveActivity(name: string): Promise<void> {
  await activity(name).getByRole('button', { name: 'Save this activity' }).click();
  const escaped = name.replace(/[()]/g, '\\$&');
  await statusMatching(new RegExp(`^${escaped} saved: CarePlan/\\S+, version \\S+\\.$`));
}

suite('the physiotherapist’s thread in Chromium', () => {
  beforeAll(async () => {
    await mkdir(SCREENSHOTS, { recursive: true });
    const dataDir = await mkdtemp(path.join(tmpdir(), 'ruggensteun-physio-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const config = loadTestConfig({
      PORT: '0',
      NODE_ENV: 'development',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      // The plan carries Dutch next to English, so the Dutch-speaking patient's schedule can be printed in Dutch.
      CDS_TRANSLATIONS: 'en,nl',
    });
    server = await startServer(config, { logger: createLogger(config) });
    cleanups.push(() => server.shutdown());
    await server.storeOpened;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
    cleanups.push(() => browser.close());
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
    page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') {
        problems.push(`${message.type()}: ${message.text()}`);
      }
    });
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  });

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) {
      await cleanup();
    }
  });

  it('GP: the suggestion creates the draft referral, the Goals and the plan based on it', async () => {
    await page.goto(`${server.url}/sandbox/?lang=en`);
    await page.waitForSelector('body[data-ready="true"]');
    await page.selectOption('#patient', 'chronic-clean');
    await page.click('#scenario-chart');
    await page.waitForSelector('#cards[data-state="done"]');
    await page.getByRole('button', { name: /Create the exercise programme/ }).click();
    const status = await statusMatching(/CarePlan CarePlan\/\S+ created; feedback sent$/);
    expect(status).toMatch(
      /^ServiceRequest ServiceRequest\/\S+ created; Goal Goal\/\S+ created; Goal Goal\/\S+ created/
    );
    await shot('01-gp-suggestion-accepted');
    const [referral] = await search('ServiceRequest', 'chronic-clean').then((all) =>
      all.filter((r) => r.status === 'draft')
    );
    const [draft] = await search('CarePlan', 'chronic-clean');
    expect(draft?.supportingInfo).toEqual([{ reference: `ServiceRequest/${referral!.id}` }]);
    expect(referral?.supportingInfo).toEqual([{ reference: `CarePlan/${draft!.id}` }]);
  });

  it('physiotherapist: excludes one activity with a reason, adapts a dose, and is told when a dose is out of range', async () => {
    await page.click('#tab-physio');
    await page.waitForSelector('#careplans .careplan');
    expect(await plan().locator('[data-status="draft"]').count()).toBeGreaterThan(0);
    await shot('02-physio-draft');

    // Exclude flexibility: a reason is required.
    await activity('Flexibility training').getByLabel('Exclude').check();
    await activity('Flexibility training').getByRole('button', { name: 'Save this activity' }).click();
    expect(await activity('Flexibility training').locator('.error').textContent()).toContain('Give the reason');
    await activity('Flexibility training')
      .getByLabel('Reason for excluding')
      .fill('No reduced flexibility related to the complaints (TS-01)');
    await saveActivity('Flexibility training');

    // Strength: 20 repetitions is outside 8–12; 10 repetitions and 3 days/week are inside.
    await activity('Strength training').getByLabel('Include').check();
    await activity('Strength training').getByLabel('Repetitions').fill('20');
    await activity('Strength training').getByRole('button', { name: 'Save this activity' }).click();
    const message = (await activity('Strength training').locator('.error').textContent()) ?? '';
    expect(message).toBe(
      'Repetitions: 20 repetitions is outside the guideline range of 8–12 repetitions. Choose a value within the range, or exclude the activity and say why.'
    );
    await activity('Strength training').scrollIntoViewIfNeeded();
    await shot('03-dose-out-of-range', false);
    await activity('Strength training').getByLabel('Repetitions').fill('10');
    await activity('Strength training').getByLabel('Frequency').fill('3');
    await saveActivity('Strength training');

    // The options the patient does not choose are excluded; the rest is included.
    for (const name of ['Digital run-walk programme', 'High-intensity training', 'Pilates, yoga or tai chi']) {
      await activity(name).getByLabel('Exclude').check();
      await activity(name).getByLabel('Reason for excluding').fill('Not the patient’s preference');
      await saveActivity(name);
    }
    for (const name of ['Aerobic (endurance) training', 'Functional training', 'Neuromotor / motor-control training']) {
      await activity(name).getByLabel('Include').check();
      await saveActivity(name);
    }
    const [stored] = await search('CarePlan', 'chronic-clean');
    const strength = stored!.activity!.find((item) => item.detail?.code?.text === 'Strength training')!.detail!;
    expect(strength.status).toBe('scheduled');
    expect(JSON.stringify(strength.extension)).toContain('"value":10');
    expect(JSON.stringify(stored)).toContain('"frequency":3');
    const flexibility = stored!.activity!.find((item) => item.detail?.code?.text === 'Flexibility training')!.detail!;
    expect(flexibility).toMatchObject({
      status: 'cancelled',
      statusReason: { text: expect.stringContaining('TS-01') as string },
    });
    expect(await activity('Strength training').locator('.activity__chosen').textContent()).toBe(
      'Chosen: Frequency 3 days/week · Repetitions 10 repetitions'
    );
    await shot('04-tailored');
  });

  it('physiotherapist: sets the goals and the period, accepts, marks progress and sees the version history', async () => {
    const goal = plan().locator('.goal').first();
    await goal.getByLabel('Goal').fill('Return to gardening and cycling to work, step by step');
    await plan().getByRole('button', { name: 'Save the goals' }).click();
    await statusMatching(/^Goals saved \(2\)\.$/);
    await plan().getByLabel('Start date').fill('2026-12-07');
    await plan().getByLabel('End date').fill('2027-03-01');
    await plan().getByRole('button', { name: 'Accept the tailored programme' }).click();
    await statusMatching(/accepted: status is now active/);
    await shot('05-accepted');

    await activity('Strength training').getByRole('button', { name: 'Mark as started' }).click();
    await statusMatching(/^Strength training saved/);
    await activity('Aerobic (endurance) training').getByRole('button', { name: 'Mark as started' }).click();
    await statusMatching(/^Aerobic \(endurance\) training saved/);
    await activity('Functional training').getByRole('button', { name: 'Mark as completed' }).click();
    await statusMatching(/^Functional training saved/);
    await plan().getByRole('button', { name: 'Version history' }).click();
    await page.waitForSelector('.history-list li');
    expect(await page.locator('.history-list li').count()).toBeGreaterThanOrEqual(12);
    await shot('06-progress-and-history');
    const goals = await search('Goal', 'chronic-clean');
    expect(goals.map((item) => item.lifecycleStatus)).toEqual(['accepted', 'accepted']);
  });

  it('prints the patient’s schedule in the patient’s language (Dutch)', async () => {
    await plan().getByRole('button', { name: 'Print the patient’s exercise schedule' }).click();
    const view = page.locator('#print-view');
    expect(await view.locator('h2').textContent()).toBe('Uw oefenprogramma');
    const text = (await view.textContent()) ?? '';
    expect(text).toContain('Herhalingen: 10 herhalingen');
    expect(text).not.toContain('Flexibility');
    await page.emulateMedia({ media: 'print' });
    await shot('07-print-view');
    await page.emulateMedia({ media: 'screen' });
    await view.getByRole('button', { name: 'Close' }).click();
  });

  it('records the evaluation at the end: ODI checked, Observation, Goals and the plan completed', async () => {
    await plan().getByLabel('Oswestry Disability Index now (0–100)').fill('150');
    await plan().getByRole('button', { name: 'Record the evaluation and close the programme' }).click();
    expect(await plan().locator('.evaluation .error').textContent()).toBe(
      'The Oswestry Disability Index is a score from 0 to 100.'
    );
    await plan().getByLabel('Oswestry Disability Index now (0–100)').fill('18');
    await plan().getByLabel('Goals', { exact: true }).selectOption('improving');
    await plan()
      .getByLabel('Evaluation and advice for after the programme')
      .fill('Walks 30 min daily, gardening again; keep up strength training twice a week at home.');
    await plan().getByRole('button', { name: 'Record the evaluation and close the programme' }).click();
    await statusMatching(/^Evaluation recorded: Observation\/\S+; CarePlan\/\S+ completed\.$/);
    await shot('08-evaluated');
    const [closed] = await search('CarePlan', 'chronic-clean');
    expect(closed?.status).toBe('completed');
    // Nothing is left running after the programme closed; excluded activities stay excluded.
    expect([...new Set(closed?.activity?.map((item) => item.detail?.status))].sort()).toEqual([
      'cancelled',
      'completed',
    ]);
    const observations = await getJson<{ entry?: { resource: { valueQuantity?: { value?: number } } }[] }>(
      `/fhir/Observation?subject=Patient/chronic-clean&_count=200`
    );
    expect(JSON.stringify(observations)).toContain('"value":18');
    expect((await search('Goal', 'chronic-clean')).map((goal) => goal.lifecycleStatus)).toEqual([
      'completed',
      'completed',
    ]);
    expect(problems).toEqual([]);
  });
});
