/**
 * CSV for spreadsheets (RFC 4180, CRLF). A cell that a spreadsheet would run as a formula
 * (= + - @, or a leading tab/CR) gets a leading apostrophe, so exported text from participants
 * can never execute in the host's spreadsheet.
 */
export type CsvCell = string | number | null;

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: CsvCell): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The byte-order mark makes Excel read the file as UTF-8 (Chinese and Arabic names). */
export const toCsv = (rows: readonly (readonly CsvCell[])[]): string => '\uFEFF' + rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
