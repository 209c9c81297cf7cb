import integrationTeardown from '../support/global-teardown';
import { renderReport, REPORT_MD } from './report';

export default async function globalTeardown(): Promise<void> {
  const table = renderReport();
  if (table) process.stdout.write(`\nFault suite report (${REPORT_MD}):\n\n${table}\n\n`);
  await integrationTeardown();
}
