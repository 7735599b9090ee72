"""The course's own checks, run by CI: the sidebar's two sections, every chapter's Colab badge and pinned install cell,
no words about how the project is made, no particular machines in a course chapter, and chapter references that resolve.
`python .ci/course_check.py --fix` writes the badge and install cells (the rest is for a person to mend)."""
import json, re, sys, uuid
from configparser import ConfigParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NBS = ROOT/'nbs'
cfg = ConfigParser(); cfg.read(ROOT/'settings.ini'); cfg = cfg['DEFAULT']
VERSION, GIT_URL = cfg['version'], 'https://github.com/clip-nbdev/clip_nbdev'
COLAB = 'https://colab.research.google.com/github/clip-nbdev/clip_nbdev/blob/main/nbs/'
BADGE = '[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]({url})'

def install_cell(name):
    extra = '[demo]' if name == '27_demo' else ''
    return ("#| hide\nimport sys\n"
            f"if 'google.colab' in sys.modules:  # Colab: the library at the version this chapter was written with\n"
            f"    !pip install -q \"clip_nbdev{extra} @ git+{GIT_URL}@v{VERSION}\"")

RECORD = 'Recorded when the runs were made'  # how a table of runs the page does not repeat begins, in the reader's words

def course_chapters(sidebar=NBS/'sidebar.yml') -> list:
    "The notebooks of the sidebar's first section, the course, in order."
    m = re.search(r'section:[^\n]*\n\s*contents:\n((?:\s+- .*\n)+)', Path(sidebar).read_text())
    return re.findall(r'-\s+(\S+\.ipynb)', m.group(1)) if m else []

def chapters(): return sorted(p for p in NBS.glob('*.ipynb') if p.stem != 'index' and not p.name.startswith(('_', '.')))
def src(c): return ''.join(c['source'])
def new_cell(kind, text):
    c = dict(cell_type=kind, id=uuid.uuid4().hex[:8], metadata={}, source=text.splitlines(keepends=True))
    if kind == 'code': c.update(execution_count=None, outputs=[])
    return c

def title_index(cells):
    return next(i for i, c in enumerate(cells) if c['cell_type'] == 'markdown' and src(c).lstrip().startswith('# '))

def fix(path):
    "Add or mend the badge and install cells of the chapter at `path`; a chapter that has both as they should be is not written."
    text = path.read_text(encoding='utf-8')
    nb = json.loads(text); cells = nb['cells']
    t = title_index(cells)
    badge = BADGE.format(url=COLAB + path.name)
    if t + 1 < len(cells) and 'colab-badge.svg' in src(cells[t + 1]): cells[t + 1]['source'] = [badge]
    else: cells.insert(t + 1, new_cell('markdown', badge))
    inst = [i for i, c in enumerate(cells) if c['cell_type'] == 'code' and "'google.colab' in sys.modules" in src(c)]
    if inst: cells[inst[0]]['source'] = install_cell(path.stem).splitlines(keepends=True)
    else: cells.insert(t + 2, new_cell('code', install_cell(path.stem)))
    out = json.dumps(nb, indent=1, ensure_ascii=False) + '\n'
    if json.loads(out) != json.loads(text): path.write_text(out, encoding='utf-8')

# Words about how the project is made, which a reader never sees.
PROCESS = re.compile(r"\b(issues?|tickets?|assignments?|sessions? notes?|the course copy|grew from|this project'?s? (?:target|task)|"
                     r"the (?:issue|task)'s|pull requests?|our CI|in CI\b|the repo'?s? (?:history|process))", re.I)
# Particular machines: named in the benchmark chapter and the README's speed section, not in a course chapter.
MACHINES = re.compile(r'\b(EPYC|Xeon|Zen ?\d|Sapphire Rapids|AMX|AVX-?512\w*|AVX2|two cores|2[- ]core|this machine)\b', re.I)
CHAPTER_REF = re.compile(r'\b(\d\d_[a-z0-9_]+)\b')

def prose(cells): return [(i, src(c)) for i, c in enumerate(cells) if c['cell_type'] == 'markdown']

def defined_names(cells):
    "Every name the chapter's exported code defines or uses: a function, class, field or argument."
    code = '\n'.join(src(c) for c in cells if c['cell_type'] == 'code' and re.match(r'#\|\s*export', src(c)))
    return set(re.findall(r'\b\w+\b', code))

FIGURE = re.compile(r'(?<![\w.])\d+\.\d+(?![\w.])')

def shown(cells):
    "What a reader sees of the chapter's code: its source and every text output."
    text = []
    for c in cells:
        if c['cell_type'] != 'code': continue
        text.append(src(c))
        for o in c.get('outputs', []):
            text.append(''.join(o.get('text', '')))
            text += [''.join(v) for k, v in o.get('data', {}).items() if k.startswith('text/')]
    return '\n'.join(text)

def check():
    errors = []
    # the sidebar: the course first (CLIP in one notebook leading), then the reference; every notebook once
    side = (NBS/'sidebar.yml').read_text()
    sections = re.findall(r'-\s*section:\s*(.+)', side)
    listed = re.findall(r'-\s+(\S+\.ipynb)', side)
    names = {p.name for p in NBS.glob('*.ipynb') if not p.name.startswith(('_', '.'))}
    if len(sections) != 2: errors.append(f'nbs/sidebar.yml: {len(sections)} sections, expected the course and the reference')
    if sorted(listed) != sorted(names):
        errors.append(f'nbs/sidebar.yml differs from nbs/: missing {sorted(names - set(listed))}, '
                      f'extra or twice {sorted(set(l for l in listed if listed.count(l) > 1 or l not in names))}')
    course = course_chapters()
    if course[:1] != ['00_clip.ipynb']: errors.append('nbs/sidebar.yml: the course section must open with 00_clip.ipynb')
    course_names = {Path(n).stem for n in course}
    stems = {Path(n).stem for n in names}
    for path in chapters():
        cells = json.loads(path.read_text(encoding='utf-8'))['cells']
        t = title_index(cells)
        if not (t + 1 < len(cells) and BADGE.format(url=COLAB + path.name) == src(cells[t + 1])):
            errors.append(f'{path.name}: no Open in Colab badge for itself right after the title (python .ci/course_check.py --fix)')
        if not any(src(c) == install_cell(path.stem) for c in cells):
            errors.append(f'{path.name}: no install cell pinned to v{VERSION} (python .ci/course_check.py --fix)')
        for i, text in prose(cells):
            for m in PROCESS.finditer(text): errors.append(f'{path.name} cell {i}: process words "{m.group(0)}"')
            if path.stem in course_names:
                for m in MACHINES.finditer(text): errors.append(f'{path.name} cell {i}: a particular machine, "{m.group(0)}", in a course chapter')
        if path.stem in course_names:  # a figure in a course chapter's prose is one the reader sees in its outputs
            seen = shown(cells) + '\n'.join(t for _, t in prose(cells) if t.startswith(RECORD))
            for i, text in prose(cells):
                if text.startswith(RECORD):  # a record of runs the page does not repeat, and says so
                    text = '\n'.join(l for l in text.splitlines() if not l.startswith('|'))
                for m in FIGURE.finditer(text):
                    if m.group(0) not in seen:
                        errors.append(f'{path.name} cell {i}: the figure {m.group(0)} is in no output (nor code) of the chapter')
        for i, c in enumerate(cells):
            for m in CHAPTER_REF.finditer(src(c)):
                if m.group(1) not in stems and not re.match(r'\d\d_\d', m.group(1)):
                    errors.append(f'{path.name} cell {i}: "{m.group(1)}" names no chapter')
        # "`name`, `NN_chapter`" and "`name` (`NN_chapter`)": the chapter must hold the name
        for i, text in prose(cells):
            for m in re.finditer(r'`(\w+)`[,\s(]+(?:in |from |of |see )?`(\d\d_[a-z0-9_]+)`(?!\')', text):
                name, ch = m.groups()
                if ch in stems and ch != path.stem and not CHAPTER_REF.fullmatch(name):
                    target = json.loads((NBS/f'{ch}.ipynb').read_text(encoding='utf-8'))['cells']
                    if name not in defined_names(target):
                        errors.append(f'{path.name} cell {i}: `{name}` is said to be in {ch}, which does not define it')
    readme = (ROOT/'README.md').read_text(encoding='utf-8')
    for m in PROCESS.finditer(readme): errors.append(f'README.md: process words "{m.group(0)}"')
    for m in CHAPTER_REF.finditer(readme):
        if m.group(1) not in stems and not re.match(r'\d\d_\d', m.group(1)): errors.append(f'README.md: "{m.group(1)}" names no chapter')
    return errors

if __name__ == '__main__':
    if '--fix' in sys.argv:
        for p in chapters(): fix(p)
    errors = check()
    for e in errors: print('FAIL:', e)
    print(f'course check: {len(chapters())} chapters, {len(errors)} problems')
    sys.exit(1 if errors else 0)
