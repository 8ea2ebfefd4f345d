import { ApiError, ensureAccessToken, refreshAccessToken, toErrorCode } from './api';

/** Saves a blob under a file name through the browser's download flow. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // The download has started by the time this runs; the URL is only needed until then.
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

export const saveText = (text: string, filename: string, type = 'text/plain;charset=utf-8'): void =>
  saveBlob(new Blob([text], { type }), filename);

/** The name the server proposes in Content-Disposition, if any. */
function dispositionName(header: string | null): string | null {
  if (!header) return null;
  const star = /filename\*=UTF-8''([^;]+)/i.exec(header);
  if (star?.[1]) return decodeURIComponent(star[1]);
  return /filename="?([^";]+)"?/i.exec(header)?.[1] ?? null;
}

async function authorisedGet(path: string, token: string): Promise<Response> {
  try {
    return await fetch(path, { headers: { authorization: `Bearer ${token}` } });
  } catch (e) {
    throw new ApiError('UNAVAILABLE', e instanceof Error ? e.message : 'network error');
  }
}

/**
 * Downloads a file from the REST API (CSV, PDF, JSON exports), which needs the bearer token a plain
 * link cannot carry. Throws ApiError with the server's code.
 */
export async function downloadFile(path: string, fallbackName: string): Promise<void> {
  let res = await authorisedGet(path, await ensureAccessToken());
  if (res.status === 401) res = await authorisedGet(path, await refreshAccessToken());
  if (!res.ok) {
    const json = (await res.json().catch(() => null)) as { error?: { code?: unknown; message?: string } } | null;
    throw new ApiError(toErrorCode(json?.error?.code, res.status), json?.error?.message ?? res.statusText, res.status);
  }
  saveBlob(await res.blob(), dispositionName(res.headers.get('content-disposition')) ?? fallbackName);
}

