// A small well-formedness check for the report's markup (xmllint is not always installed): tags nest and close,
// attributes are quoted, `&` starts a known entity, `<` never appears in text. XML mode for SVG; HTML mode
// allows void elements and raw-text <style>/<script>, and a doctype.
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);
const RAW = new Set(['style', 'script']);
const ENTITY = /^&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/;

function checkText(text: string, at: number): string | undefined {
  for (let i = text.indexOf('&'); i >= 0; i = text.indexOf('&', i + 1)) {
    if (!ENTITY.test(text.slice(i, i + 12))) return `bare '&' at ${at + i}: ${JSON.stringify(text.slice(i, i + 20))}`;
  }
  return undefined;
}

/** Problems found (empty when well-formed). */
export function markupProblems(doc: string, mode: 'xml' | 'html'): string[] {
  const problems: string[] = [];
  const stack: { name: string; at: number }[] = [];
  const ids = new Set<string>();
  let roots = 0;
  let i = 0;
  while (i < doc.length && problems.length < 10) {
    const lt = doc.indexOf('<', i);
    const text = doc.slice(i, lt < 0 ? doc.length : lt);
    const tp = checkText(text, i);
    if (tp) problems.push(tp);
    if (lt < 0) break;
    if (doc.startsWith('<!--', lt)) {
      const end = doc.indexOf('-->', lt + 4);
      if (end < 0) return [...problems, `unterminated comment at ${lt}`];
      i = end + 3;
      continue;
    }
    if (doc.startsWith('<?', lt)) {
      const end = doc.indexOf('?>', lt);
      if (end < 0) return [...problems, `unterminated processing instruction at ${lt}`];
      i = end + 2;
      continue;
    }
    if (doc.startsWith('<!', lt)) {
      if (mode === 'xml' || !/^<!doctype html>/i.test(doc.slice(lt, lt + 15))) problems.push(`unexpected declaration at ${lt}`);
      i = doc.indexOf('>', lt) + 1;
      continue;
    }
    // XML needs every attribute quoted; HTML also allows boolean attributes (`<details open>`).
    const tag = mode === 'xml' ? /^<(\/?)([A-Za-z][\w:-]*)((?:\s+[A-Za-z_:][\w:.-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/ : /^<(\/?)([A-Za-z][\w:-]*)((?:\s+[A-Za-z_:][\w:.-]*(?:\s*=\s*(?:"[^"<]*"|'[^'<]*'))?)*)\s*(\/?)>/;
    const m = tag.exec(doc.slice(lt));
    if (!m) {
      problems.push(`malformed tag at ${lt}: ${JSON.stringify(doc.slice(lt, lt + 40))}`);
      i = lt + 1;
      continue;
    }
    const [whole, close, rawName, attrs, selfClose] = m;
    const name = mode === 'html' ? rawName!.toLowerCase() : rawName!;
    for (const a of attrs!.matchAll(/=\s*(?:"([^"]*)"|'([^']*)')/g)) {
      const p = checkText(a[1] ?? a[2] ?? '', lt);
      if (p) problems.push(`in an attribute of <${name}>: ${p}`);
    }
    const names = [...attrs!.replace(/"[^"]*"|'[^']*'/g, '""').matchAll(/\s([A-Za-z_:][\w:.-]*)/g)].map((x) => x[1]);
    if (new Set(names).size !== names.length) problems.push(`duplicate attribute in <${name}> at ${lt}`);
    const id = /\sid\s*=\s*(?:"([^"]*)"|'([^']*)')/.exec(attrs!);
    if (id) {
      const v = id[1] ?? id[2] ?? '';
      if (ids.has(v)) problems.push(`duplicate id '${v}' at ${lt}`);
      ids.add(v);
    }
    i = lt + whole!.length;
    if (close) {
      const top = stack.pop();
      if (!top || top.name !== name) problems.push(`</${name}> at ${lt} closes <${top?.name ?? '(nothing)'}>${top ? ` opened at ${top.at}` : ''}`);
      continue;
    }
    if (stack.length === 0) roots++;
    if (selfClose || (mode === 'html' && VOID.has(name))) continue;
    if (mode === 'html' && RAW.has(name)) {
      const end = doc.toLowerCase().indexOf(`</${name}>`, i);
      if (end < 0) return [...problems, `unterminated <${name}> at ${lt}`];
      i = end + name.length + 3;
      continue;
    }
    stack.push({ name, at: lt });
  }
  for (const s of stack) problems.push(`<${s.name}> opened at ${s.at} is never closed`);
  if (roots !== 1) problems.push(`${roots} root elements`);
  return problems;
}
