import { getMetadataStorage } from 'class-validator';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Environment } from './environment';

const ROOT = join(__dirname, '..', '..');
const variables = [
  ...new Set(
    getMetadataStorage()
      .getTargetValidationMetadatas(Environment, '', true, false)
      .map((m) => m.propertyName)
      .filter((name) => name !== 'NODE_ENV'),
  ),
];

describe('environment documentation', () => {
  const example = readFileSync(join(ROOT, '.env.example'), 'utf8');
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

  it.each(variables)('%s is in .env.example', (name) => {
    expect(example).toMatch(new RegExp(`^#? ?${name}=`, 'm'));
  });

  it.each(variables)("%s is in the README's configuration table", (name) => {
    expect(readme).toMatch(new RegExp(`^\\| \`${name}\` +\\|`, 'm'));
  });

  it('documents the defaults the code uses', () => {
    const defaults = new Environment();
    for (const [name, value] of Object.entries(defaults)) {
      if (value === undefined) continue;
      expect(example).toMatch(
        new RegExp(`^${name}=${String(value).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'),
      );
    }
  });
});
