import { JiraFlavour } from './operations';

/** An Atlassian Document Format document, one paragraph per line (Jira rejects empty text nodes). */
export function adfDoc(text: string) {
  return {
    type: 'doc',
    version: 1,
    content: text
      .split('\n')
      .map((line) =>
        line
          ? { type: 'paragraph', content: [{ type: 'text', text: line }] }
          : { type: 'paragraph' },
      ),
  };
}

const richText = (flavour: JiraFlavour, text: string) =>
  flavour === 'cloud' ? adfDoc(text) : text;

/** A create-issue body as the service should send it; `fields` replace the defaults one by one. */
export function createIssueBody(flavour: JiraFlavour, fields: Record<string, unknown> = {}) {
  return {
    fields: {
      project: { key: 'OPS' },
      issuetype: { name: 'Bug' },
      summary: '[StackLens] PRICE_MISSING at store 12',
      description: richText(
        flavour,
        'Checkout failed: price missing for SKU 4711.\nStore 12, till 3.',
      ),
      labels: ['stacklens', 'stacklens-fp-3f9a1c'],
      ...fields,
    },
  };
}

export function commentBody(flavour: JiraFlavour, text = 'Seen again: 12 more occurrences.') {
  return { body: richText(flavour, text) };
}
