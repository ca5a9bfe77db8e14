import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM, SKIP_BROWSER, until } from '../support/browser';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { loadTestConfig } from '../../src/config';
import { createLogger } from '../../src/common/logger';
import { startServer } from '../../src/server';
import type { RunningServer } from '../../src/server';
import type { ReportRow } from '../../src/store/store';
import { skipNotice } from '../support/postgres';

/**
 * The sandbox page in a real browser (Debian's headless Chromium, driven by playwright-core): the server runs
 * in-process with the embedded FHIR server and store; the page is used as the GP and as the physiotherapist,
 * with the mouse and with the keyboard only, in English and Dutch. Every step leaves a screenshot in
 * test-output/screenshots/, and the page must not log a single console error or warning.
 */

jest.setTimeout(120_000);

const SKIP = SKIP_BROWSER;
const suite = SKIP ? describe.skip : describe;
if (SKIP) {
  skipNotice(
    'the sandbox page in Chromium (test/e2e)',
    'needs /usr/bin/chromium; install it with apt-get install chromium'
  );
}
const SUITE_NAME = SKIP
  ? 'sandbox page in Chromium (SKIPPED: /usr/bin/chromium is missing; install it with apt-get install chromium)'
  : 'sandbox page in Chromium';

const SCREENSHOTS = path.join(__dirname, '..', '..', 'test-output', 'screenshots');
const OVERRIDE_SYSTEM = 'https://ruggensteun.org/fhir/CodeSystem/override-reason';

interface CarePlanLike {
  resourceType: 'CarePlan';
  id: string;
  status: string;
  period?: { start?: string; end?: string };
  subject?: { reference?: string };
}

interface SearchBundle {
  resourceType: 'Bundle';
  entry?: { resource?: CarePlanLike }[];
}

let server: RunningServer;
let dataDir: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const consoleProblems: string[] = [];
/** What afterAll undoes, newest first: only what beforeAll got to create. */
const cleanups: (() => Promise<void>)[] = [];
const timings: string[] = [];

async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    timings.push(`${label}: ${String(Math.round(performance.now() - started))} ms`);
  }
}

async function screenshot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

async function openSandbox(query = ''): Promise<void> {
  await page.goto(`${server.url}/sandbox/${query}`);
  await page.waitForSelector('body[data-ready="true"]');
}

async function choosePatient(id: string): Promise<void> {
  await page.selectOption('#patient', id);
}

/** Waits until the answer to the scenario that was just started is shown (cards, no cards or an error). */
async function waitForCards(): Promise<void> {
  await page.waitForSelector('#cards[data-state="done"], #cards[data-state="error"]');
}

async function runScenario(id: string): Promise<void> {
  await page.click(`#scenario-${id}`);
  await waitForCards();
}

async function waitForStatus(pattern: RegExp): Promise<string> {
  let text = '';
  await until(`a status matching ${String(pattern)}`, async () => {
    text = (await page.textContent('#status')) ?? '';
    return pattern.test(text);
  });
  return text;
}

async function getJson<T>(pathAndQuery: string): Promise<T> {
  const res = await fetch(`${server.url}${pathAndQuery}`, { headers: { Accept: 'application/json' } });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

async function carePlansOf(patientId: string): Promise<CarePlanLike[]> {
  const bundle = await getJson<SearchBundle>(`/fhir/CarePlan?subject=Patient/${patientId}`);
  return (bundle.entry ?? []).flatMap((entry) => (entry.resource ? [entry.resource] : []));
}

interface Focused {
  id: string;
  tag: string;
  text: string;
  className: string;
  outline: string;
}

/** What has the keyboard focus (evaluated in the page; a string, as this project has no DOM types). */
function focused(): Promise<Focused> {
  return page.evaluate<Focused>(`(() => {
    const element = document.activeElement ?? document.body;
    return {
      id: element.id,
      tag: element.tagName,
      text: (element.textContent ?? '').trim(),
      className: typeof element.className === 'string' ? element.className : '',
      outline: getComputedStyle(element).outlineStyle,
    };
  })()`);
}

/** Presses Tab until the focused element matches, so the test walks the page as a keyboard user does. */
async function tabTo(description: string, matches: (element: Focused) => boolean, maxPresses = 60): Promise<void> {
  for (let press = 0; press < maxPresses; press += 1) {
    await page.keyboard.press('Tab');
    if (matches(await focused())) {
      return;
    }
  }
  throw new Error(`Tab never reached ${description}`);
}

function isoDay(offsetDays: number): string {
  return new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

suite(SUITE_NAME, () => {
  beforeAll(async () => {
    await mkdir(SCREENSHOTS, { recursive: true });
    dataDir = await mkdtemp(path.join(tmpdir(), 'ruggensteun-e2e-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    // The steps read English (CDS_LOCALE=en); the last steps switch to Dutch and French.
    const config = loadTestConfig({
      PORT: '0',
      NODE_ENV: 'development',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      CDS_LOCALE: 'en',
    });
    server = await timed('server start', () => startServer(config, { logger: createLogger(config) }));
    cleanups.push(() => server.shutdown());
    await timed('store open', () => server.storeOpened);
    browser = await timed('browser launch', () =>
      chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      })
    );
    cleanups.push(() => browser.close());
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
    cleanups.push(() => context.close());
    page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') {
        consoleProblems.push(`${message.type()}: ${message.text()} (${message.location().url})`);
      }
    });
    page.on('pageerror', (error) => {
      consoleProblems.push(`pageerror: ${error.message}`);
    });
  });

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) {
      await cleanup();
    }
    process.stdout.write(`sandbox e2e timings: ${timings.join('; ')}\n`);
  });

  it('shows a red flag as a critical card first, without an exercise programme suggestion', async () => {
    await timed('1 red flags', async () => {
      await openSandbox();
      await screenshot('00-start');
      for (const patientId of ['fever', 'cauda-equina']) {
        await choosePatient(patientId);
        await runScenario('chart');
        const first = page.locator('#cards .card').first();
        expect(await first.getAttribute('data-indicator')).toBe('critical');
        expect(await first.isVisible()).toBe(true);
        expect(await first.locator('.badge').textContent()).toContain('Critical');
        expect(await page.locator('#cards .card__summary-text').first().textContent()).toMatch(/^Red flag/);
        expect(await page.locator('#cards button', { hasText: /exercise programme|CarePlan/i }).count()).toBe(0);
        await screenshot(`01-red-flag-${patientId}`);
      }
      // The exact request and the raw response are on the page.
      await page.click('#request-details summary');
      await page.click('#response-details summary');
      const requestText = (await page.textContent('#request-pre')) ?? '';
      expect(requestText).toContain('POST /cds-services/lbp-patient-view');
      expect(requestText).toContain('"hook": "patient-view"');
      expect(requestText).toContain('"patientId": "cauda-equina"');
      expect(requestText).toContain('"prefetch"');
      expect((await page.textContent('#response-pre')) ?? '').toContain('HTTP/1.1 200');
      await screenshot('01-request-response');
    });
  });

  it('lets the GP create the exercise programme draft from the recommendation card', async () => {
    await timed('2 create CarePlan', async () => {
      await openSandbox();
      await choosePatient('chronic-clean');
      await runScenario('chart');
      const recommendation = page.locator('#cards .card', { hasText: 'Propose supervised exercise therapy' });
      expect(await recommendation.count()).toBe(1);
      expect(await recommendation.getAttribute('data-indicator')).toBe('info');
      const create = recommendation.getByRole('button', { name: /Create the exercise programme/ });
      expect(await create.textContent()).toContain('Recommended');
      await create.click();
      const status = await waitForStatus(/created/);
      // One transaction: the draft referral, the two Goals and the CarePlan based on the referral.
      expect(status).toMatch(
        /^ServiceRequest ServiceRequest\/\S+ created; Goal Goal\/\S+ created; Goal Goal\/\S+ created; CarePlan CarePlan\/[A-Za-z0-9\-.]+ created; feedback sent$/
      );
      await screenshot('02-careplan-created');
      const plans = await carePlansOf('chronic-clean');
      expect(plans.filter((plan) => plan.status === 'draft')).toHaveLength(1);

      // The chart is opened again: the draft exists, so no second suggestion appears.
      await openSandbox();
      await choosePatient('chronic-clean');
      await runScenario('chart');
      expect(await page.locator('#cards .card', { hasText: 'Propose supervised exercise therapy' }).count()).toBe(0);
      expect(await page.locator('#cards button', { hasText: /Create the exercise programme/ }).count()).toBe(0);
      await screenshot('02-chart-reopened');
    });
  });

  it('lets the physiotherapist read the draft with its doses and accept it with a period', async () => {
    await timed('3 physiotherapist accepts', async () => {
      await openSandbox();
      await choosePatient('chronic-clean');
      await page.click('#tab-physio');
      await page.waitForSelector('#careplans .careplan');
      const draft = page.locator('#careplans .careplan', { has: page.locator('[data-status="draft"]') });
      expect(await draft.count()).toBe(1);
      const text = (await draft.textContent()) ?? '';
      expect(text).toContain('Supervised exercise therapy for low back pain');
      expect(text).toContain('60–70% 1RM');
      expect(text).toContain('2–4 sets of 8–12 repetitions');
      expect(text).toContain('2–3 × per week');
      expect(text).toContain('PG-01');
      expect(await draft.locator('.note-list li').count()).toBeGreaterThanOrEqual(10);
      await screenshot('03-physio-draft');

      const start = isoDay(7);
      const end = isoDay(7 + 12 * 7);
      const id = await draft.getAttribute('data-id');
      // Accepting needs a decision on every activity (TS-01): here each one is included.
      const activities = await draft.locator('.activity').count();
      for (let index = 0; index < activities; index += 1) {
        const plan = page.locator(`#careplans .careplan[data-id="${id ?? ''}"]`);
        await plan.locator('.activity').nth(index).getByLabel('Include').check();
        await plan.locator('.activity').nth(index).getByRole('button', { name: 'Save this activity' }).click();
        await until(
          'the activity saved',
          async () => (await plan.locator('.activity').nth(index).getAttribute('data-activity-status')) === 'scheduled'
        );
      }
      await draft.getByLabel('Start date').fill(start);
      await draft.getByLabel('End date').fill(end);
      await draft.getByRole('button', { name: 'Accept the tailored programme' }).click();
      await waitForStatus(/accepted: status is now active/);
      const accepted = page.locator(`#careplans .careplan[data-id="${id ?? ''}"]`);
      expect(await accepted.locator('[data-status]').getAttribute('data-status')).toBe('active');
      await screenshot('03-physio-accepted');

      const stored = await getJson<CarePlanLike>(`/fhir/CarePlan/${id ?? ''}`);
      expect(stored.status).toBe('active');
      expect(stored.period).toEqual({ start, end });
    });
  });

  it('sends a dismissal with its override reason to the feedback store', async () => {
    await timed('4 dismiss with reason', async () => {
      await openSandbox();
      await choosePatient('older-novice');
      await runScenario('chart');
      expect(await page.locator('#cards .card[data-indicator="warning"]').count()).toBeGreaterThanOrEqual(1);
      // The recommendation card offers the coded override reasons (the precaution card has none).
      const card = page.locator('#cards .card', { hasText: 'Propose supervised exercise therapy' });
      await card.getByRole('button', { name: 'Dismiss' }).click();
      await card.getByLabel('Reason').selectOption({ label: 'Not now' });
      await screenshot('04-dismiss-open');
      await card.getByRole('button', { name: 'Confirm dismissal' }).click();
      expect(await waitForStatus(/Card dismissed/)).toBe('Card dismissed; feedback sent');
      expect(await card.locator('.card__outcome').textContent()).toContain('Not now');
      await screenshot('04-dismissed');

      const reason = `${OVERRIDE_SYSTEM}|not-now`;
      let rows: ReportRow[] = [];
      const overriddenFor = () => rows.some((row) => row.overridden >= 1 && (row.overrideReasons[reason] ?? 0) >= 1);
      await until(
        'the override in /stats',
        async () => {
          rows = (await getJson<{ rows: ReportRow[] }>('/stats')).rows;
          return overriddenFor();
        },
        5000
      );
      expect(overriddenFor()).toBe(true);
    });
  });

  it('can be used with the keyboard only', async () => {
    await timed('5 keyboard only', async () => {
      await openSandbox();
      // Choose the patient in the select with the arrow keys.
      await page.focus('#patient');
      for (let press = 0; press < 20; press += 1) {
        if ((await page.inputValue('#patient')) === 'physio-referral') {
          break;
        }
        await page.keyboard.press('ArrowDown');
      }
      expect(await page.inputValue('#patient')).toBe('physio-referral');
      expect(await page.textContent('#patient-banner')).toContain('Marloes Kok');

      await tabTo('the physiotherapy referral scenario', (element) => element.id === 'scenario-physio-select');
      // The focus is visible.
      expect((await focused()).outline).toBe('solid');
      await page.keyboard.press('Enter');
      await waitForCards();
      expect((await page.textContent('#request-pre')) ?? '').toContain('"selections": [');
      await screenshot('05-keyboard-cards');

      await tabTo('the CarePlan suggestion', (element) => /Create the exercise programme/.test(element.text));
      await page.keyboard.press('Space');
      // The draft referral being ordered is updated to carry the plan, in the same transaction.
      expect(await waitForStatus(/created/)).toMatch(
        /^Goal Goal\/\S+ created; Goal Goal\/\S+ created; CarePlan CarePlan\/\S+ created; ServiceRequest ServiceRequest\/physio-referral-order updated; feedback sent$/
      );
      // Focus moves to the card's outcome, not to the top of the page.
      expect((await focused()).className).toContain('card__outcome');
      await screenshot('05-keyboard-created');
      const plans = await carePlansOf('physio-referral');
      expect(plans.filter((plan) => plan.status === 'draft')).toHaveLength(1);

      // Dismiss the data-quality card with the keyboard: open, choose nothing, comment, confirm with Enter.
      await openSandbox();
      await page.focus('#patient');
      await page.selectOption('#patient', 'older-novice');
      await tabTo('Open the chart', (element) => element.id === 'scenario-chart');
      await page.keyboard.press('Enter');
      await waitForCards();
      await tabTo('the first Dismiss button', (element) => element.text === 'Dismiss');
      await page.keyboard.press('Enter');
      expect((await focused()).tag).toBe('SELECT');
      await page.keyboard.press('Tab');
      await page.keyboard.type('Already discussed with the patient');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      expect(await waitForStatus(/Card dismissed/)).toBe('Card dismissed; feedback sent');
      await screenshot('05-keyboard-dismissed');
    });
  });

  it('switches the page and the cards to Dutch', async () => {
    await timed('6 Dutch', async () => {
      await openSandbox();
      await choosePatient('fever');
      await runScenario('chart');
      expect(await page.locator('#cards .card__summary-text').first().textContent()).toMatch(/^Red flag/);
      // Switching the language asks the service again, with Accept-Language: nl.
      await page.selectOption('#language', 'nl');
      await waitForCards();
      expect(await page.getAttribute('html', 'lang')).toBe('nl');
      expect(await page.textContent('#tab-gp')).toContain('Huisarts (EPD)');
      expect(await page.textContent('#tab-physio')).toContain('Fysiotherapeut');
      expect(await page.textContent('#scenario-chart')).toBe('Dossier openen');
      expect(await page.textContent('#cards-heading')).toBe('Kaarten');
      expect(await page.locator('#cards .card__summary-text').first().textContent()).toMatch(/^Rode vlag/);
      expect(await page.locator('#cards .card .badge').first().textContent()).toContain('Kritiek');
      expect(await page.locator('#cards .card button').first().textContent()).toBe('Negeren');
      expect((await page.textContent('#request-pre')) ?? '').toContain('Accept-Language: nl');
      expect(await waitForStatus(/kaart\(en\) ontvangen/)).toContain('lbp-patient-view');
      await screenshot('06-dutch');
    });
  });

  it.each(['nl', 'fr', 'en'])('shows the red-flag card and the recommendation card in %s', async (lang) => {
    await timed(`7 cards in ${lang}`, async () => {
      await openSandbox(`?lang=${lang}&patient=cauda-equina`);
      await runScenario('chart');
      const critical = page.locator('#cards .card[data-indicator="critical"]');
      expect(await critical.count()).toBe(1);
      await critical.screenshot({ path: path.join(SCREENSHOTS, `07-red-flag-${lang}.png`) });
      await openSandbox(`?lang=${lang}&patient=lumbar-mri`);
      await runScenario('chart');
      const recommendation = page.locator('#cards .card[data-indicator="info"]');
      expect(await recommendation.count()).toBe(1);
      const text = (await recommendation.textContent()) ?? '';
      expect(text).toMatch(
        {
          nl: /Stel gesuperviseerde oefentherapie voor/,
          fr: /Proposez des exercices supervisés/,
          en: /Propose supervised exercise therapy/,
        }[lang] ?? /./
      );
      await recommendation.screenshot({ path: path.join(SCREENSHOTS, `07-recommendation-${lang}.png`) });
    });
  });

  it('in French, the GP creates the programme and the physiotherapist reads it in French', async () => {
    await timed('8 French plan', async () => {
      await openSandbox('?lang=fr&patient=lumbar-mri');
      await runScenario('chart');
      const recommendation = page.locator('#cards .card[data-indicator="info"]');
      await recommendation.getByRole('button', { name: /Créer le programme d'exercices/ }).click();
      await waitForStatus(/CarePlan CarePlan\/\S+ créé/);
      await page.click('#tab-physio');
      await page.waitForSelector('#careplans .careplan');
      const draft = page.locator('#careplans .careplan', { has: page.locator('[data-status="draft"]') });
      const text = (await draft.textContent()) ?? '';
      expect(text).toContain('Thérapie par l’exercice supervisée pour la lombalgie');
      expect(text).toContain('Renforcement musculaire');
      expect(text).toContain('Réactions et sécurité');
      expect(text).not.toMatch(/Supervised exercise therapy|Strength training|Krachttraining/);
      await screenshot('08-physio-draft-fr');
    });
  });

  it('logged no console errors or warnings', () => {
    expect(consoleProblems).toEqual([]);
  });
});
