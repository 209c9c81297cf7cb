import { SetMetadata } from '@nestjs/common';
import type { ApiRole } from '../../config/configuration';

export const ROLES_KEY = 'stacklens:roles';

/** The roles allowed on a route; without it any valid token may call it. */
export const Roles = (...roles: ApiRole[]) => SetMetadata(ROLES_KEY, roles);
