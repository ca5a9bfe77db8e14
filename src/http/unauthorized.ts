import { HttpError, outcome } from '../common/http-error';

/**
 * The 401 for every refused credential (client JWT, admin token): no detail, so a client cannot probe which check
 * failed (https://cds-hooks.org/best-practices/: "respond with HTTP 401 … without any additional information").
 */
export const unauthorized = (): HttpError =>
  new HttpError(401, outcome('login', [{ message: 'Unauthorized' }]), { 'WWW-Authenticate': 'Bearer' });
