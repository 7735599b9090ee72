"Run the notebooks `nbdev_test` runs in a real IPython kernel, top to bottom, as Run All in Jupyter or Colab would."
import copy, sys, time
from pathlib import Path
import nbformat
from fastcore.script import call_parse
from nbclient import NotebookClient
from nbdev.config import get_config
from nbdev.doclinks import nbglob
from nbdev.process import extract_directives

def skipped(cell, flags) -> bool:
    "Whether `nbdev_test` leaves `cell` out: a cell flagged with one of `flags`, or `#| eval: false`."
    if cell.cell_type != 'code': return False
    d = extract_directives(cell, remove=False)
    return bool(flags & d.keys()) or [v.lower() for v in d.get('eval:', [])] == ['false']

def runnable(nb, flags):
    "A copy of `nb` without the cells `nbdev_test` skips, and how many were left out."
    nb = copy.deepcopy(nb)
    keep = [c for c in nb.cells if not skipped(c, flags)]
    n_skipped, nb.cells = len(nb.cells) - len(keep), keep
    return nb, n_skipped

def run_one(path:Path, flags, timeout:int) -> tuple:
    "Execute the notebook at `path` in a fresh kernel from its own folder; (seconds, skipped cells)."
    nb, n_skipped = runnable(nbformat.read(path, as_version=4), flags)
    start = time.perf_counter()
    # kernel_name from the notebook's kernelspec ('python3'), which ipykernel maps to this environment's Python
    NotebookClient(nb, timeout=timeout, resources={'metadata': {'path': str(path.parent)}}).execute()
    return time.perf_counter() - start, n_skipped

@call_parse
def main(path:str=None,  # A notebook, or a folder of notebooks (default: nbs_path)
         timeout:int=1800):  # Seconds one cell may run
    "Execute every notebook `nbdev_test` would, skipping the cells its `tst_flags` mark; exit 1 if any fails."
    cfg = get_config()
    flags = set(cfg.tst_flags.split())
    files = [Path(path)] if path and path.endswith('.ipynb') else sorted(nbglob(path, as_path=True))
    failed = []
    for f in files:
        try:
            secs, n_skipped = run_one(Path(f).resolve(), flags, timeout)
            print(f'{secs:7.1f} s  {Path(f).name}' + (f'  ({n_skipped} cells skipped, as nbdev_test skips them)' if n_skipped else ''), flush=True)
        except Exception as e:
            print(f'FAILED     {Path(f).name}\n{e}', flush=True); failed.append(Path(f).name)
    print(f'kernel: {len(files) - len(failed)} passed, {len(failed)} failed')
    if failed: sys.exit(1)
