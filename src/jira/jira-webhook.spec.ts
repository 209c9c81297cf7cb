import { Logger } from '@nestjs/common';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { FingerprintAlreadyOpenError } from '../alerts/alert-lifecycle.errors';
import type { AlertLifecycleService } from '../alerts/alert-lifecycle.service';
import type { JiraConfig } from '../config/configuration';
import { verifyJiraSignature } from './jira-signature';
import { JiraStatuses } from './jira-statuses';
import { JiraWebhookService, statusChangeOf } from './jira-webhook.service';

jest.mock('node:crypto', () => {
  const actual = jest.requireActual<typeof import('node:crypto')>('node:crypto');
  return { ...actual, timingSafeEqual: jest.fn(actual.timingSafeEqual) };
});

const SECRET = 'webhook-secret-0123456789';
const sign = (body: Buffer, secret = SECRET) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/** A jira:issue_updated webhook body; `to` is the new status, `from` the one left. */
function issueUpdated(
  options: {
    key?: string;
    to?: { id: string; name: string; category: string };
    from?: { id: string; name: string };
    items?: object[];
  } = {},
) {
  const {
    key = 'OPS-1',
    to = { id: '10002', name: 'Done', category: 'done' },
    from = { id: '10001', name: 'In Progress' },
  } = options;
  return {
    webhookEvent: 'jira:issue_updated',
    issue: {
      key,
      fields: { status: { id: to.id, name: to.name, statusCategory: { key: to.category } } },
    },
    changelog: {
      items: options.items ?? [
        {
          field: 'status',
          fieldId: 'status',
          from: from.id,
          fromString: from.name,
          to: to.id,
          toString: to.name,
        },
      ],
    },
  };
}

describe(verifyJiraSignature.name, () => {
  const body = Buffer.from(JSON.stringify(issueUpdated()));
  beforeEach(() => jest.mocked(timingSafeEqual).mockClear());

  it('accepts the HMAC-SHA256 of the raw body, compared in constant time', () => {
    expect(verifyJiraSignature(SECRET, body, sign(body))).toBe(true);
    expect(timingSafeEqual).toHaveBeenCalledTimes(1);
    const [a, b] = jest.mocked(timingSafeEqual).mock.calls[0] as [Buffer, Buffer];
    expect([a.length, b.length]).toEqual([32, 32]);
  });

  it.each([
    ['another secret', sign(body, 'another-secret')],
    ['another body', sign(Buffer.from('{}'))],
    ['a malformed header', 'sha256=xyz'],
    ['another algorithm', sign(body).replace('sha256', 'sha1')],
  ])('refuses %s', (_, header) => {
    expect(verifyJiraSignature(SECRET, body, header)).toBe(false);
  });

  it('refuses a missing header, a missing raw body and a service without a secret', () => {
    expect(verifyJiraSignature(SECRET, body, undefined)).toBe(false);
    expect(verifyJiraSignature(SECRET, undefined, sign(body))).toBe(false);
    expect(verifyJiraSignature(null, body, sign(body))).toBe(false);
  });
});

describe(statusChangeOf.name, () => {
  it('reads the key, whether the new status is done, and the status left', () => {
    expect(statusChangeOf(issueUpdated())).toMatchObject({
      key: 'OPS-1',
      done: true,
      from: { id: '10001', name: 'In Progress' },
      resolutionCleared: false,
    });
  });

  it('ignores other events and changes without a status', () => {
    expect(statusChangeOf({ ...issueUpdated(), webhookEvent: 'jira:issue_created' })).toBeNull();
    expect(statusChangeOf(issueUpdated({ items: [{ field: 'summary' }] }))).toBeNull();
    expect(statusChangeOf('nonsense')).toBeNull();
  });
});

describe(JiraWebhookService.name, () => {
  beforeEach(() => {
    for (const level of ['log', 'warn', 'debug', 'error'] as const) {
      jest.spyOn(Logger.prototype, level).mockImplementation(() => undefined);
    }
  });
  afterEach(() => jest.restoreAllMocks());
  const config = { enabled: true, webhookSecret: SECRET, resolveTransition: 'Done' } as JiraConfig;

  function setup(alerts: Array<{ id: string; status: string }>) {
    const dataSource = { query: jest.fn().mockResolvedValue(alerts) } as unknown as DataSource;
    const lifecycle = {
      resolve: jest.fn().mockResolvedValue({}),
      reopen: jest.fn().mockResolvedValue({}),
    };
    const sut = new JiraWebhookService(
      dataSource,
      config,
      lifecycle as unknown as AlertLifecycleService,
      new JiraStatuses(config),
    );
    return { sut, lifecycle, dataSource };
  }

  it('resolves the linked alert when the issue moves to done, as jira and idempotently', async () => {
    const { sut, lifecycle, dataSource } = setup([{ id: 'a1', status: 'open' }]);
    await expect(sut.handle(issueUpdated())).resolves.toBe(1);
    expect(jest.mocked(dataSource.query).mock.calls[0][1]).toEqual(['OPS-1']);
    expect(lifecycle.resolve).toHaveBeenCalledWith('a1', 'jira', {
      reason: 'jira',
      ifNotAlready: true,
    });
  });

  it('changes nothing for an echo: done on a resolved alert, not done on an open one', async () => {
    const resolved = setup([{ id: 'a1', status: 'resolved' }]);
    await expect(resolved.sut.handle(issueUpdated())).resolves.toBe(0);
    const open = setup([{ id: 'a1', status: 'open' }]);
    const reopened = issueUpdated({
      to: { id: '10000', name: 'To Do', category: 'new' },
      from: { id: '10002', name: 'Done' },
    });
    await expect(open.sut.handle(reopened)).resolves.toBe(0);
    for (const { lifecycle } of [resolved, open]) {
      expect(lifecycle.resolve).not.toHaveBeenCalled();
      expect(lifecycle.reopen).not.toHaveBeenCalled();
    }
  });

  it('reopens a resolved alert when the issue leaves done', async () => {
    const { sut, lifecycle } = setup([{ id: 'a1', status: 'resolved' }]);
    const reopened = issueUpdated({
      to: { id: '10000', name: 'To Do', category: 'new' },
      from: { id: '10002', name: 'Done' },
    });
    await expect(sut.handle(reopened)).resolves.toBe(1);
    expect(lifecycle.reopen).toHaveBeenCalledWith('a1', 'jira', {
      reason: 'jira',
      ifNotAlready: true,
    });
  });

  it('ignores a move between two statuses that are not done, even on a resolved alert', async () => {
    const { sut, lifecycle } = setup([{ id: 'a1', status: 'resolved' }]);
    const moved = issueUpdated({
      to: { id: '10001', name: 'In Progress', category: 'indeterminate' },
      from: { id: '10000', name: 'To Do' },
    });
    await expect(sut.handle(moved)).resolves.toBe(0);
    expect(lifecycle.reopen).not.toHaveBeenCalled();
  });

  it('remembers done statuses it saw, whatever their name', async () => {
    const { sut, lifecycle } = setup([{ id: 'a1', status: 'resolved' }]);
    await sut.handle(issueUpdated({ to: { id: '20', name: 'Shipped', category: 'done' } }));
    await sut.handle(
      issueUpdated({
        to: { id: '10001', name: 'In Progress', category: 'indeterminate' },
        from: { id: '20', name: 'Shipped' },
      }),
    );
    expect(lifecycle.reopen).toHaveBeenCalledTimes(1);
  });

  it('skips an alert whose problem is open again elsewhere', async () => {
    const { sut, lifecycle } = setup([{ id: 'a1', status: 'resolved' }]);
    lifecycle.reopen.mockRejectedValue(new FingerprintAlreadyOpenError('a1', 'a2'));
    const reopened = issueUpdated({
      to: { id: '10000', name: 'To Do', category: 'new' },
      from: { id: '10002', name: 'Done' },
    });
    await expect(sut.handle(reopened)).resolves.toBe(0);
  });

  it('verifies only while Jira is on and a secret is set', () => {
    const body = Buffer.from('{}');
    expect(setup([]).sut.verify(body, sign(body))).toBe(true);
    const off = new JiraWebhookService(
      {} as DataSource,
      { ...config, enabled: false },
      {} as AlertLifecycleService,
      new JiraStatuses(config),
    );
    expect(off.verify(body, sign(body))).toBe(false);
  });
});
