/**
 * A small, strict XML reader for tests of the JUnit report: elements,
 * attributes, text, the five predefined entities and character references.
 * It throws on what a conforming parser rejects in that subset (unescaped
 * `<` or `&`, `]]>` in text, characters XML 1.0 forbids, mismatched or
 * duplicate names), so a test that parses the report also proves it is
 * well-formed.
 */
export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  /** Concatenated text content directly inside the element. */
  text: string;
}

const NAME = /[A-Za-z_:][A-Za-z0-9_:.-]*/y;
const PREDEFINED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function parseXml(source: string): XmlElement {
  const forbidden = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.exec(source);
  if (forbidden !== null) throw new Error(`character U+${forbidden[0].charCodeAt(0).toString(16)} is not allowed in XML, at offset ${forbidden.index}`);
  let position = 0;
  const fail = (message: string): never => {
    throw new Error(`${message} at offset ${position}`);
  };
  const skipSpace = (): void => {
    while (position < source.length && /[ \t\r\n]/.test(source[position] ?? '')) position++;
  };
  const readName = (): string => {
    NAME.lastIndex = position;
    const match = NAME.exec(source);
    if (match === null) return fail('expected a name');
    position += match[0].length;
    return match[0];
  };
  const decode = (raw: string, inAttribute: boolean): string => {
    if (raw.includes('<')) fail('unescaped < ');
    const normalised = inAttribute ? raw.replace(/[\t\n\r]/g, ' ') : raw.replace(/\r\n?/g, '\n');
    return normalised.replace(/&([^;]*);|&/g, (whole, reference: string | undefined) => {
      if (reference === undefined) return fail('bare &');
      if (reference in PREDEFINED) return PREDEFINED[reference] ?? '';
      const numeric = /^#(?:x([0-9A-Fa-f]+)|([0-9]+))$/.exec(reference);
      if (numeric === null) return fail(`unknown entity ${whole}`);
      const code = numeric[1] !== undefined ? Number.parseInt(numeric[1], 16) : Number.parseInt(numeric[2] ?? '', 10);
      const character = String.fromCodePoint(code);
      if (/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.test(character)) fail(`character reference ${whole} names a forbidden character`);
      return character;
    });
  };

  if (source.startsWith('<?xml')) {
    const end = source.indexOf('?>');
    if (end < 0) fail('unterminated XML declaration');
    position = end + 2;
  }
  skipSpace();
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (position < source.length) {
    if (source.startsWith('</', position)) {
      position += 2;
      const name = readName();
      skipSpace();
      if (source[position] !== '>') fail('expected >');
      position++;
      const open = stack.pop();
      if (open === undefined || open.name !== name) fail(`mismatched </${name}>`);
      if (stack.length === 0) break;
      continue;
    }
    if (source[position] === '<') {
      position++;
      const name = readName();
      const attributes: Record<string, string> = {};
      while (true) {
        const before = position;
        skipSpace();
        if (source.startsWith('/>', position) || source[position] === '>') break;
        if (position === before) fail('expected whitespace before an attribute');
        const attribute = readName();
        skipSpace();
        if (source[position] !== '=') fail('expected =');
        position++;
        skipSpace();
        const quote = source[position];
        if (quote !== '"' && quote !== "'") return fail('expected a quoted attribute value');
        const end = source.indexOf(quote, position + 1);
        if (end < 0) fail('unterminated attribute value');
        if (attribute in attributes) fail(`duplicate attribute ${attribute}`);
        attributes[attribute] = decode(source.slice(position + 1, end), true);
        position = end + 1;
      }
      const element: XmlElement = { name, attributes, children: [], text: '' };
      const parent = stack.at(-1);
      if (parent !== undefined) parent.children.push(element);
      else if (root !== undefined) fail('more than one root element');
      else root = element;
      if (source.startsWith('/>', position)) {
        position += 2;
        if (stack.length === 0) break;
      } else {
        position++;
        stack.push(element);
      }
      continue;
    }
    const next = source.indexOf('<', position);
    const raw = source.slice(position, next < 0 ? source.length : next);
    const parent = stack.at(-1);
    if (parent === undefined) {
      if (raw.trim() !== '') fail('text outside the root element');
    } else {
      if (raw.includes(']]>')) fail(']]> in text');
      parent.text += decode(raw, false);
    }
    position += raw.length;
  }
  if (stack.length > 0) fail(`unclosed <${stack.at(-1)?.name}>`);
  skipSpace();
  if (position < source.length) fail('content after the root element');
  if (root === undefined) return fail('no root element');
  return root;
}

/** Every descendant element with this name, in document order. */
export function descendants(element: XmlElement, name: string): XmlElement[] {
  const found: XmlElement[] = [];
  const visit = (node: XmlElement): void => {
    for (const child of node.children) {
      if (child.name === name) found.push(child);
      visit(child);
    }
  };
  visit(element);
  return found;
}
