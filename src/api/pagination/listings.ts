import type { AlertSort, SortOrder } from '../../alerts/alert-queries.service';
import type { CursorScope } from './cursor';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A cursor of one sort order means nothing in another, so the order is part of its scope. */
export const alertsListing = (sort: AlertSort, order: SortOrder): CursorScope => ({
  listing: `alerts:${sort}:${order}`,
  id: UUID,
});

/** Event ids are sha256 hex. */
export const OCCURRENCES_LISTING: CursorScope = { listing: 'occurrences', id: /^[0-9a-f]{64}$/ };

/** Activity ids are bigserial. */
export const ACTIVITY_LISTING: CursorScope = { listing: 'activity', id: /^\d{1,19}$/ };
