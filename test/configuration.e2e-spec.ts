import { startService } from './support/service';

describe('configuration', () => {
  it('refuses to start on a bad variable, naming it and never printing a secret', async () => {
    const service = await startService({
      KAFKA_BROKERS: 'not a broker list',
      HTTP_PORT: 'eighty',
      DATABASE_URL: 'postgres://stacklens:hunter2-s3cret@127.0.0.1:5432/stacklens',
    });
    expect(await service.exited).toBe(1);
    const output = service.lines.join('\n');
    expect(output).toContain('KAFKA_BROKERS');
    expect(output).toContain('HTTP_PORT');
    expect(output).not.toContain('hunter2-s3cret');
    expect(output).not.toContain('not a broker list');
  });

  it('rejects a malformed DATABASE_URL without echoing it', async () => {
    const service = await startService({ DATABASE_URL: 'mysql://root:topsecret@db/x' });
    expect(await service.exited).toBe(1);
    const output = service.lines.join('\n');
    expect(output).toContain('DATABASE_URL');
    expect(output).not.toContain('topsecret');
  });
});
