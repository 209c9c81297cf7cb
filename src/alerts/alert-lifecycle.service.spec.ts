import type { DataSource, EntityManager } from 'typeorm';
import { ActivityAction, AlertStatus, ResolutionReason } from '../events/alert.enums';
import {
  AlertNotFoundError,
  FingerprintAlreadyOpenError,
  IllegalTransitionError,
  StaleVersionError,
} from './alert-lifecycle.errors';
import { AlertLifecycleService } from './alert-lifecycle.service';

// Rows stand in for entities: the mapping itself is TypeORM's and is covered end to end.
jest.mock('./alert-queries.service', () => ({
  entityFromRow: (_: unknown, __: unknown, row: unknown) => row,
}));

const ID = '0b6f5a4e-9a43-4b7e-9d8e-2f0c3c1d7e11';
type Row = Record<string, unknown>;

/**
 * A DataSource whose queries answer from a script, in order: the UPDATE answers as TypeORM's
 * postgres driver does ([rows, count]), the rest with rows.
 */
function fakeDataSource(answers: Array<Row[] | [Row[], number] | Error>) {
  const sql: Array<{ text: string; params: unknown[] }> = [];
  const query = jest.fn((text: string, params: unknown[] = []) => {
    sql.push({ text, params });
    const answer = answers.shift();
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer ?? []);
  });
  const manager = { query } as unknown as EntityManager;
  const dataSource = {
    query,
    transaction: (work: (m: EntityManager) => Promise<unknown>) => work(manager),
  } as unknown as DataSource;
  return { dataSource, sql };
}

const updated = (row: Row): [Row[], number] => [[row], 1];
const nothingUpdated: [Row[], number] = [[], 0];

describe(AlertLifecycleService.name, () => {
  it('acknowledges with one conditional UPDATE and records the activity', async () => {
    const { dataSource, sql } = fakeDataSource([
      updated({ id: ID, status: 'acknowledged', version: 4, from_status: 'open' }),
      [],
    ]);
    const sut = new AlertLifecycleService(dataSource);

    await expect(
      sut.acknowledge(ID, 'alice', { note: 'on it', expectedVersion: 3 }),
    ).resolves.toMatchObject({
      status: 'acknowledged',
      version: 4,
    });

    expect(sql[0].text).toMatch(
      /UPDATE alerts a SET status = 'acknowledged'.*version = a\.version \+ 1/s,
    );
    expect(sql[0].text).toContain('FOR UPDATE');
    expect(sql[0].params).toEqual([ID, [AlertStatus.OPEN], 3, 'alice']);
    expect(sql[1].text).toContain('INSERT INTO alert_activity');
    expect(sql[1].params).toEqual([
      ID,
      'open',
      'acknowledged',
      ActivityAction.ACKNOWLEDGED,
      'alice',
      null,
      'on it',
    ]);
  });

  it('resolves from open or acknowledged, manual unless told otherwise', async () => {
    const { dataSource, sql } = fakeDataSource([
      updated({ id: ID, status: 'resolved', from_status: 'acknowledged' }),
      [],
    ]);
    await new AlertLifecycleService(dataSource).resolve(ID, 'jira', {
      reason: ResolutionReason.JIRA,
    });
    expect(sql[0].params).toEqual([
      ID,
      [AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED],
      null,
      'jira',
      'jira',
    ]);
    expect(sql[1].params).toEqual([
      ID,
      'acknowledged',
      'resolved',
      ActivityAction.RESOLVED,
      'jira',
      'jira',
      null,
    ]);
  });

  it('says the alert does not exist when the UPDATE matched nothing and there is no row', async () => {
    const { dataSource } = fakeDataSource([nothingUpdated, []]);
    await expect(
      new AlertLifecycleService(dataSource).acknowledge(ID, 'alice'),
    ).rejects.toBeInstanceOf(AlertNotFoundError);
  });

  it('says the version is stale, with the current one, before judging the transition', async () => {
    const { dataSource } = fakeDataSource([
      nothingUpdated,
      [{ id: ID, status: 'resolved', version: 5 }],
    ]);
    const error = await new AlertLifecycleService(dataSource)
      .acknowledge(ID, 'alice', { expectedVersion: 4 })
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(StaleVersionError);
    expect(error).toMatchObject({ currentVersion: 5, expectedVersion: 4 });
  });

  it('says the transition is illegal, with the current status', async () => {
    const { dataSource, sql } = fakeDataSource([
      nothingUpdated,
      [{ id: ID, status: 'resolved', version: 5 }],
    ]);
    const error = await new AlertLifecycleService(dataSource)
      .acknowledge(ID, 'alice')
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(IllegalTransitionError);
    expect(error).toMatchObject({ currentStatus: AlertStatus.RESOLVED });
    expect(sql.some((q) => q.text.includes('alert_activity'))).toBe(false);
  });

  it('tries once more under the lock when the miss was a race with a change committed since', async () => {
    const { dataSource, sql } = fakeDataSource([
      nothingUpdated,
      [{ id: ID, status: 'open', version: 3 }],
      updated({ id: ID, status: 'acknowledged', version: 4, from_status: 'open' }),
      [],
    ]);
    await expect(
      new AlertLifecycleService(dataSource).acknowledge(ID, 'alice'),
    ).resolves.toMatchObject({
      status: 'acknowledged',
    });
    expect(sql[1].text).toContain('FOR UPDATE');
    expect(sql[3].text).toContain('INSERT INTO alert_activity');
  });

  it('treats linking the key already linked as no change: no error, no activity', async () => {
    const current = { id: ID, status: 'open', version: 2, jira_issue_key: 'OPS-1' };
    const { dataSource, sql } = fakeDataSource([nothingUpdated, [current], nothingUpdated]);
    await expect(
      new AlertLifecycleService(dataSource).linkJira(ID, 'alice', 'OPS-1'),
    ).resolves.toBe(current);
    expect(sql.map((q) => q.text.trim().split(/\s/)[0])).toEqual(['UPDATE', 'SELECT', 'UPDATE']);
  });

  it('reports the open alert of the same fingerprint when the unique index refuses a reopen', async () => {
    const violation = Object.assign(new Error('duplicate key'), {
      driverError: { code: '23505', constraint: 'alerts_open_fingerprint_uq' },
    });
    const { dataSource } = fakeDataSource([violation, [{ id: 'the-open-one' }]]);
    const error = await new AlertLifecycleService(dataSource)
      .reopen(ID, 'alice')
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(FingerprintAlreadyOpenError);
    expect(error).toMatchObject({ openAlertId: 'the-open-one' });
  });

  it('lets other database errors through', async () => {
    const { dataSource } = fakeDataSource([new Error('connection terminated')]);
    await expect(new AlertLifecycleService(dataSource).reopen(ID, 'alice')).rejects.toThrow(
      'connection terminated',
    );
  });
});
