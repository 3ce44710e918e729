/**
 * Dashboards opened in this tab without being saved (uploaded to a Vigil without the dashboard
 * API): kept in memory by uid, so `/d/<uid>` shows them until the page is reloaded.
 */
const unsaved = new Map<string, Record<string, unknown>>();

export function keepUnsaved(uid: string, dashboard: Record<string, unknown>): void {
  unsaved.set(uid, dashboard);
}

export function unsavedDashboard(uid: string): Record<string, unknown> | undefined {
  return unsaved.get(uid);
}

/** A uid for a dashboard that has none: stable for the same title, as the server's provisioning does. */
export async function uidForTitle(title: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(title));
  return [...new Uint8Array(digest).slice(0, 7)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}
