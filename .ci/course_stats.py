"""Per chapter: prose words, visible code cells, cells until the chapter first shows a result, exported lines.
A result is the first visible code cell, neither exported nor an import, that has an output (a value, a print, a picture)."""
import json, re, sys
from pathlib import Path

def directives(src):
    return {m.group(1) for m in re.finditer(r'^#\|\s*([\w-]+)', src, re.M)}

def stats(path):
    cells = json.loads(Path(path).read_text(encoding='utf-8'))['cells']
    words = sum(len(''.join(c['source']).split()) for c in cells if c['cell_type'] == 'markdown')
    visible = exported = tests = 0; first = None
    for i, c in enumerate(cells):
        if c['cell_type'] != 'code': continue
        src = ''.join(c['source']); d = directives(src)
        if 'export' in d or 'exports' in d: exported += sum(1 for l in src.splitlines() if l.strip() and not l.startswith('#|'))
        if 'hide' in d or 'export' in d or 'exporti' in d or 'default_exp' in d: continue
        visible += 1
        if re.search(r'\b(test_\w+|assert)\b', src): tests += 1
        body = [l for l in src.splitlines() if l.strip() and not l.startswith('#')]
        if first is None and c.get('outputs') and not all(re.match(r'(from|import)\s', l) for l in body): first = i + 1
    return words, visible, tests, first, exported

if __name__ == '__main__':
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else 'nbs')
    print(f"| chapter | prose words | visible code cells | visible test cells | cells until a first result | exported lines |\n|---|---|---|---|---|---|")
    for p in sorted(folder.glob('*.ipynb')):
        w, v, t, f, e = stats(p)
        print(f'| {p.stem} | {w} | {v} | {t} | {f if f else "-"} | {e} |')
