"Run the notebooks `nbdev_test` runs in a real IPython kernel, top to bottom, as Run All in Jupyter or Colab would."
import copy, sys, time
from pathlib import Path
import nbformat
from fastcore.script import call_parse, store_true
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

def run_one(path:Path, flags, timeout:int, save:bool=False) -> tuple:
    "Execute the notebook at `path` in a fresh kernel from its own folder; (seconds, skipped cells)."
    full = nbformat.read(path, as_version=4)
    nb, n_skipped = runnable(full, flags)
    start = time.perf_counter()
    # kernel_name from the notebook's kernelspec ('python3'), which ipykernel maps to this environment's Python
    NotebookClient(nb, timeout=timeout, resources={'metadata': {'path': str(path.parent)}}).execute()
    secs = time.perf_counter() - start
    if save:  # the cells that ran get their new outputs; skipped cells keep the ones they had
        ran = {c.id: c for c in nb.cells}
        for c in full.cells:
            if c.id in ran and c.cell_type == 'code': c.outputs, c.execution_count = ran[c.id].outputs, ran[c.id].execution_count
        nbformat.write(full, path)
    return secs, n_skipped

@call_parse
def main(path:str=None,  # A notebook, or a folder of notebooks (default: nbs_path)
         flags:str='',  # Space-separated flags whose cells run too, as with `nbdev_test --flags`
         save:store_true=False,  # Write the outputs into the notebooks (then run nbdev_clean)
         timeout:int=1800):  # Seconds one cell may run
    "Execute every notebook `nbdev_test` would, skipping the cells its `tst_flags` mark; exit 1 if any fails."
    cfg = get_config()
    flags = set(cfg.tst_flags.split()) - set(flags.split())
    files = [Path(path)] if path and path.endswith('.ipynb') else sorted(nbglob(path, as_path=True))
    failed = []
    for f in files:
        try:
            secs, n_skipped = run_one(Path(f).resolve(), flags, timeout, save)
            print(f'{secs:7.1f} s  {Path(f).name}' + (f'  ({n_skipped} cells skipped, as nbdev_test skips them)' if n_skipped else ''), flush=True)
        except Exception as e:
            print(f'FAILED     {Path(f).name}\n{e}', flush=True); failed.append(Path(f).name)
    print(f'kernel: {len(files) - len(failed)} passed, {len(failed)} failed')
    if failed: sys.exit(1)
