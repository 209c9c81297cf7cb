import {
  adfDescription,
  AdfNode,
  alertUrl,
  commentText,
  fingerprintLabel,
  labelJql,
  TicketAlert,
  ticketLabels,
  ticketSummary,
  wikiDescription,
} from './jira-ticket';

const FINGERPRINT =
  '3F9A1C0D5E6B7A8C9D0E1F2A3B4C5D6E7F8091A2B3C4D5E6F708192A3B4C5D6E'.toLowerCase();

function ticketAlert(overrides: Partial<TicketAlert> = {}): TicketAlert {
  return {
    id: '0b6f5a4e-9a43-4b7e-9d8e-2f0c3c1d7e11',
    fingerprint: FINGERPRINT,
    issueCode: 'PRICE_MISSING',
    severity: 'critical',
    groupLabels: { service: 'pos-demo', product_id: 'prod-42' },
    service: 'pos-demo',
    suggestedFix: 'Check product pricing configuration',
    occurrences: '12',
    firstSeenAt: new Date('2025-11-18T19:00:00Z'),
    lastSeenAt: new Date('2025-11-18T19:05:00Z'),
    firstEvent: { error_code: 'PRICE_MISSING', product_id: 'prod-42' },
    ...overrides,
  };
}

/** Every node of an ADF tree, depth first. */
function nodes(node: AdfNode): AdfNode[] {
  return [node, ...(node.content ?? []).flatMap(nodes)];
}

describe('Jira ticket', () => {
  describe(ticketSummary.name, () => {
    it('names severity, issue, service and the other group labels', () => {
      expect(ticketSummary(ticketAlert())).toBe(
        '[critical] PRICE_MISSING on pos-demo (product prod-42)',
      );
    });

    it('leaves out labels that say nothing (none, the issue code itself)', () => {
      const alert = ticketAlert({
        issueCode: 'DATABASE_TIMEOUT',
        severity: 'warning',
        groupLabels: { service: 'pos-demo', error_code: 'DATABASE_TIMEOUT', endpoint: 'none' },
      });
      expect(ticketSummary(alert)).toBe('[warning] DATABASE_TIMEOUT on pos-demo');
    });

    it('describes a storm overflow alert by its detector', () => {
      const alert = ticketAlert({ groupLabels: { overflow: 'true', detector: 'price-missing' } });
      expect(ticketSummary(alert)).toBe(
        '[critical] PRICE_MISSING on pos-demo (storm overflow of price-missing)',
      );
    });

    it('keeps to one line of at most 255 characters', () => {
      const alert = ticketAlert({
        groupLabels: { service: 'pos\ndemo', product_id: 'x'.repeat(400) },
      });
      const summary = ticketSummary(alert);
      expect(summary.length).toBe(255);
      expect(summary).not.toMatch(/[\r\n]/);
      expect(summary.endsWith('…')).toBe(true);
    });
  });

  it('labels the ticket stacklens and stacklens-<first 16 hex of the fingerprint>', () => {
    expect(ticketLabels(FINGERPRINT)).toEqual(['stacklens', 'stacklens-3f9a1c0d5e6b7a8c']);
  });

  it('finds the ticket again by that label, oldest first', () => {
    expect(labelJql(FINGERPRINT)).toBe(
      `labels = "${fingerprintLabel(FINGERPRINT)}" ORDER BY created ASC`,
    );
  });

  it('fills the alert link template', () => {
    expect(alertUrl('https://stacklens.example/ui/alerts/{id}', 'abc')).toBe(
      'https://stacklens.example/ui/alerts/abc',
    );
    expect(alertUrl(null, 'abc')).toBeNull();
  });

  describe(adfDescription.name, () => {
    const url = 'https://stacklens.example/ui/alerts/a1';
    const sut = adfDescription(ticketAlert(), url);

    it('is an ADF doc of top-level blocks: fix, facts, heading, code block', () => {
      expect(sut).toMatchObject({ type: 'doc', version: 1 });
      expect(sut.content.map((n) => n.type)).toEqual([
        'paragraph',
        'bulletList',
        'paragraph',
        'codeBlock',
      ]);
    });

    it('lists the fix, labels, occurrences, first and last seen, and links the alert', () => {
      const texts = nodes({ type: 'root', content: sut.content })
        .filter((n) => n.type === 'text')
        .map((n) => n.text);
      expect(texts).toEqual(
        expect.arrayContaining([
          'Check product pricing configuration',
          'service=pos-demo, product_id=prod-42',
          '12',
          '2025-11-18T19:00:00.000Z',
          '2025-11-18T19:05:00.000Z',
        ]),
      );
      const link = nodes({ type: 'root', content: sut.content }).find((n) =>
        n.marks?.some((m) => m.type === 'link'),
      );
      expect(link).toMatchObject({ text: url, marks: [{ type: 'link', attrs: { href: url } }] });
    });

    it('carries the first event as a JSON code block', () => {
      const code = sut.content[3];
      expect(code.attrs).toEqual({ language: 'json' });
      expect(JSON.parse(code.content![0].text!)).toEqual(ticketAlert().firstEvent);
    });

    it('never has an empty text node, which Jira refuses', () => {
      const empty = adfDescription(ticketAlert({ suggestedFix: '', groupLabels: {} }), null);
      const texts = nodes({ type: 'root', content: empty.content }).filter(
        (n) => n.type === 'text',
      );
      expect(texts.every((n) => (n.text ?? '').length > 0)).toBe(true);
    });
  });

  it('writes the same description in wiki markup for Data Center', () => {
    const sut = wikiDescription(ticketAlert({ firstEvent: { note: 'a {code} inside' } }), null);
    expect(sut).toContain('*Suggested fix:* Check product pricing configuration');
    expect(sut).toContain('* *Occurrences:* 12');
    expect(sut.match(/\{code/g)).toHaveLength(2);
  });

  it('writes comments as ADF paragraphs on Cloud and as lines on Data Center', () => {
    expect(commentText('cloud', ['one', '', 'two'])).toEqual({
      type: 'doc',
      version: 1,
      content: [
        { type: 'paragraph', content: [{ type: 'text', text: 'one' }] },
        { type: 'paragraph', content: [{ type: 'text', text: 'two' }] },
      ],
    });
    expect(commentText('datacenter', ['one', '', 'two'])).toBe('one\ntwo');
  });
});
