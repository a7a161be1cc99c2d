#!/usr/bin/env bash
# The training-speed ratio as the project counts it: PyTorch, then ours, then PyTorch again, in one
# script on the same machine and thread count (timings here swing 2x within an hour, so only a
# sandwich like this gives a ratio). Prints the raw times; nothing written.
#   tools/torch-reference/side-by-side.sh OFFICIAL_DIR [VARIANT=128s] [THREADS=2] [ENGINE=onnxruntime]
set -euo pipefail
official=${1:?usage: side-by-side.sh OFFICIAL_DIR [variant] [threads] [engine]}
variant=${2:-128s}
threads=${3:-2}
engine=${4:-onnxruntime}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
python=${PYTHON:-python3}
date -u +'%F %T UTC: PyTorch'
"$python" "$here/bench_torch_train.py" --official "$official" --variant "$variant" --threads "$threads"
date -u +"%F %T UTC: ours ($engine)"
node "$root/packages/cli/bin/levit-unet.js" bench --variant "$variant" --engines "$engine" --threads "$threads" --repeats 3
date -u +'%F %T UTC: PyTorch'
"$python" "$here/bench_torch_train.py" --official "$official" --variant "$variant" --threads "$threads"
