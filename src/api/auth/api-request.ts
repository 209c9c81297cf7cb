import type { IncomingMessage } from 'node:http';
import type { ApiPrincipal } from './api-tokens';

/** The parts of an API request the guards read and write (Express extends IncomingMessage). */
export type ApiRequest = IncomingMessage & { ip?: string; principal?: ApiPrincipal };
