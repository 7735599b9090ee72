"Run the notebooks `nbdev_test` runs in a real IPython kernel, top to bottom, as Run All in Jupyter or Colab would."
import copy, os, sys, time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
import nbformat
from fastcore.script import call_parse, store_true
from nbclient import NotebookClient
from nbdev.config import get_config
from nbdev.doclinks import nbglob
from nbdev.process import extract_directives

from course_check import course_chapters  # .ci/, this script's folder, is first on sys.path

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

def run_one(path:Path, flags, timeout:int, save:bool=False, every_cell:bool=False) -> tuple:
    "Execute the notebook at `path` in a fresh kernel from its own folder (every cell, or those nbdev_test runs); (seconds, skipped cells)."
    full = nbformat.read(path, as_version=4)
    nb, n_skipped = (copy.deepcopy(full), 0) if every_cell else runnable(full, flags)
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

def heaviest_first(files) -> list:
    "`files`, those with the most code first: with several kernels, a long notebook started last would run alone at the end."
    def code_size(f): return sum(len(c.source) for c in nbformat.read(f, as_version=4).cells if c.cell_type == 'code')
    return sorted(files, key=code_size, reverse=True)

def run_in_worker(args) -> tuple:
    "`run_one` in a pool worker, whose kernels compute with `threads` threads: (name, seconds, skipped, error or None)."
    f, flags, timeout, save, threads, every_cell = args
    os.environ['OMP_NUM_THREADS'] = os.environ['MKL_NUM_THREADS'] = str(threads)  # the kernel inherits them
    try: return (Path(f).name, *run_one(Path(f).resolve(), flags, timeout, save, every_cell), None)
    except Exception as e: return Path(f).name, 0.0, 0, str(e)

@call_parse
def main(path:str=None,  # A notebook, or a folder of notebooks (default: nbs_path)
         flags:str='',  # Space-separated flags whose cells run too, as with `nbdev_test --flags`
         save:store_true=False,  # Write the outputs into the notebooks (then run nbdev_clean)
         workers:int=1,  # Kernels at a time; each computes with cores/workers threads, as `nbdev_test`'s workers do
         timeout:int=1800,  # Seconds one cell may run
         course_every_cell:store_true=False):  # The course chapters (the sidebar's first section) with every cell, flags and `eval: false` too
    "Execute every notebook `nbdev_test` would, skipping the cells its `tst_flags` mark; exit 1 if any fails."
    cfg = get_config()
    flags = set(cfg.tst_flags.split()) - set(flags.split())
    files = [Path(path)] if path and path.endswith('.ipynb') else sorted(nbglob(path, as_path=True))
    threads = max(1, (os.cpu_count() or 1) // workers)
    course = set(course_chapters()) if course_every_cell else set()
    jobs = [(f, flags, timeout, save, threads, Path(f).name in course) for f in heaviest_first(files)]
    failed, start = [], time.perf_counter()
    with ProcessPoolExecutor(workers) as pool:
        for done in as_completed([pool.submit(run_in_worker, j) for j in jobs]):
            name, secs, n_skipped, error = done.result()
            if error: print(f'FAILED     {name}\n{error}', flush=True); failed.append(name); continue
            print(f'{secs:7.1f} s  {name}' + ('  (every cell)' if name in course else
                  f'  ({n_skipped} cells skipped, as nbdev_test skips them)' if n_skipped else ''), flush=True)
    print(f'kernel: {len(files) - len(failed)} passed, {len(failed)} failed, in {time.perf_counter() - start:.0f} s '
          f'({workers} kernel{"s" if workers > 1 else ""} at a time, {threads} thread{"s" if threads > 1 else ""} each)')
    if failed: sys.exit(1)
