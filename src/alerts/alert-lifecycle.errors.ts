import { ActivityAction, AlertStatus } from '../events/alert.enums';

/** Why a lifecycle change was refused; the HTTP API maps each code to one problem type. */
export enum AlertLifecycleErrorCode {
  NOT_FOUND = 'NOT_FOUND',
  STALE_VERSION = 'STALE_VERSION',
  ILLEGAL_TRANSITION = 'ILLEGAL_TRANSITION',
  FINGERPRINT_ALREADY_OPEN = 'FINGERPRINT_ALREADY_OPEN',
}

/** Domain errors, not HTTP exceptions: a Jira webhook or a sweep calls the same service. */
export abstract class AlertLifecycleError extends Error {
  abstract readonly code: AlertLifecycleErrorCode;

  constructor(
    readonly alertId: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class AlertNotFoundError extends AlertLifecycleError {
  readonly code = AlertLifecycleErrorCode.NOT_FOUND;

  constructor(alertId: string) {
    super(alertId, `alert ${alertId} does not exist`);
  }
}

/** The caller decided on an older version of the alert (If-Match); someone changed it since. */
export class StaleVersionError extends AlertLifecycleError {
  readonly code = AlertLifecycleErrorCode.STALE_VERSION;

  constructor(
    alertId: string,
    readonly expectedVersion: number,
    readonly currentVersion: number,
  ) {
    super(alertId, `alert ${alertId} is at version ${currentVersion}, not ${expectedVersion}`);
  }
}

export class IllegalTransitionError extends AlertLifecycleError {
  readonly code = AlertLifecycleErrorCode.ILLEGAL_TRANSITION;

  constructor(
    alertId: string,
    readonly action: ActivityAction,
    readonly currentStatus: AlertStatus,
  ) {
    super(alertId, `alert ${alertId} is ${currentStatus}: ${action} is not allowed`);
  }
}

/**
 * Reopening would make a second unresolved alert for one fingerprint (the unique index refuses
 * it): the problem already came back as `openAlertId`, which is the alert to work on.
 */
export class FingerprintAlreadyOpenError extends AlertLifecycleError {
  readonly code = AlertLifecycleErrorCode.FINGERPRINT_ALREADY_OPEN;

  constructor(
    alertId: string,
    readonly openAlertId: string | null,
  ) {
    super(
      alertId,
      openAlertId
        ? `alert ${openAlertId} is already open for the same fingerprint`
        : 'another alert is already open for the same fingerprint',
    );
  }
}
