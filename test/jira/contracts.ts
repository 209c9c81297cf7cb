import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { JiraRequest, matchOperation } from './operations';

const CONTRACTS_DIR = join(__dirname, 'contracts');
const ID_BASE = 'https://stacklens.test/jira/contracts/';

let ajv: Ajv2020 | undefined;

function contract(name: string): ValidateFunction {
  if (!ajv) {
    ajv = new Ajv2020({ allErrors: true });
    for (const file of readdirSync(CONTRACTS_DIR).filter((f) => f.endsWith('.schema.json')))
      ajv.addSchema(JSON.parse(readFileSync(join(CONTRACTS_DIR, file), 'utf8')));
  }
  const validate = ajv.getSchema(`${ID_BASE}${name}.schema.json`);
  if (!validate) throw new Error(`no contract ${name}.schema.json in ${CONTRACTS_DIR}`);
  return validate;
}

/**
 * Checks every request the double received against the contract of its operation (by method and
 * path) and throws on the first one that breaks it. A request to an operation the service is not
 * expected to call fails too: the stubs only prove what they were written for.
 */
export function assertContracts(requests: readonly JiraRequest[]): void {
  requests.forEach((request, index) => {
    const where = `Jira request #${index + 1} ${request.method} ${request.url}`;
    const operation = matchOperation(request.method, request.path);
    if (!operation) throw new Error(`${where}: not an operation the Jira double knows`);
    const { name, flavour, schema } = operation;
    if (!schema) {
      if (request.body !== undefined)
        throw new Error(
          `${where} (${name}, ${flavour}) takes no body, got ${JSON.stringify(request.body)}`,
        );
      return;
    }
    const validate = contract(schema);
    if (!validate(request.body)) {
      const errors = ajv!.errorsText(validate.errors, { dataVar: 'body', separator: '; ' });
      throw new Error(`${where} (${name}, ${flavour}) breaks ${schema}.schema.json: ${errors}`);
    }
  });
}
