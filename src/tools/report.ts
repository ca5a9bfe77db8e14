import { parseConfig } from '../config';
import { openStore } from '../store/store';
import type { ReportRow } from '../store/store';

/**
 * `npm run report -- [--from 2026-11-01] [--to 2026-12-01] [--json]`: per rule id and card kind, how often cards
 * were shown, accepted and overridden, with the override reasons, from the store of this configuration
 * (DATABASE_URL, else the embedded store in DATA_DIR — stop the service first: one process at a time may open
 * the embedded store; GET /stats gives the same report from the running service).
 */

/** The report as an aligned text table. */
export function formatReport(rows: readonly ReportRow[]): string {
  const header = ['rule', 'kind', 'shown', 'accepted', 'overridden', 'override reasons'];
  const lines = rows.map((row) => [
    row.ruleId,
    row.kind,
    String(row.shown),
    String(row.accepted),
    String(row.overridden),
    Object.entries(row.overrideReasons)
      .map(([reason, count]) => `${reason.split('|').pop() ?? reason}: ${count}`)
      .join(', '),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...lines.map((line) => (line[column] ?? '').length))
  );
  const format = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [format(header), format(widths.map((width) => '-'.repeat(width))), ...lines.map(format)].join('\n');
}

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index < 0 ? undefined : process.argv[index + 1];
}

function date(name: string): Date | undefined {
  const value = argument(name);
  if (value === undefined) {
    return undefined;
  }
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime())) {
    throw new Error(`--${name} must be an ISO date such as 2026-11-01`);
  }
  return parsed;
}

async function main(): Promise<void> {
  const config = parseConfig(process.env);
  const from = date('from');
  const to = date('to');
  const store = await openStore(config);
  try {
    const rows = await store.report({ ...(from ? { from } : {}), ...(to ? { to } : {}) });
    process.stdout.write(
      process.argv.includes('--json') ? `${JSON.stringify(rows, null, 2)}\n` : `${formatReport(rows)}\n`
    );
  } finally {
    await store.close();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
