import { rmSync } from 'node:fs';
import integrationSetup from '../support/global-setup';
import { REPORT_FILE } from './scenario';

export default async function globalSetup(): Promise<void> {
  rmSync(REPORT_FILE, { force: true });
  await integrationSetup();
}
