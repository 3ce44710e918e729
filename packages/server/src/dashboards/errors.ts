/**
 * A refused dashboard operation, as Grafana's `DashboardErr`: an HTTP status, a short machine status
 * for the errors Grafana gives one (`version-mismatch`, `not-found`, `empty-name`), and the message.
 */
export class DashboardError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly status?: string,
  ) {
    super(message);
    this.name = 'DashboardError';
  }

  /** The response body Grafana sends for it. */
  body(): { message: string; status?: string } {
    return this.status === undefined ? { message: this.message } : { status: this.status, message: this.message };
  }
}

export const dashboardErrors = {
  notFound: () => new DashboardError(404, 'Dashboard not found', 'not-found'),
  versionMismatch: () => new DashboardError(412, 'The dashboard has been changed by someone else', 'version-mismatch'),
  titleEmpty: () => new DashboardError(400, 'Dashboard title cannot be empty', 'empty-name'),
  titleTooLong: () => new DashboardError(400, 'Dashboard title cannot contain more than 5 000 characters', 'title-too-long'),
  sameUidExists: () => new DashboardError(400, 'A dashboard with the same uid already exists'),
  invalidUid: () => new DashboardError(400, 'uid contains illegal characters'),
  uidTooLong: () => new DashboardError(400, 'uid too long, max 40 characters'),
  messageTooLong: () => new DashboardError(400, 'message too long, max 500 characters'),
  cannotSaveProvisioned: () => new DashboardError(400, 'Cannot save provisioned dashboard'),
  cannotDeleteProvisioned: () => new DashboardError(400, 'provisioned dashboard cannot be deleted'),
  folderNotFound: () => new DashboardError(404, 'Folder not found'),
};
