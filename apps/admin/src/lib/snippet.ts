import { createElement, Fragment, type ReactNode } from 'react';

/**
 * Turns a search snippet (HTML with <mark> around matches) into React nodes, keeping only the
 * <mark> elements and the text. Parsed by DOMParser into an inert document; nothing is executed.
 */
export function renderSnippet(snippet: string): ReactNode {
  const doc = new DOMParser().parseFromString(`<body>${snippet}</body>`, 'text/html');
  const out: ReactNode[] = [];
  const walk = (parent: Node) => {
    parent.childNodes.forEach((node) => {
      if (node.nodeType === Node.TEXT_NODE) out.push(node.textContent ?? '');
      else if (node.nodeType === Node.ELEMENT_NODE && (node as Element).tagName === 'MARK')
        out.push(createElement('mark', { key: out.length }, node.textContent ?? ''));
      else if (node.nodeType === Node.ELEMENT_NODE) walk(node);
    });
  };
  walk(doc.body);
  return createElement(Fragment, null, ...out);
}
