#!/usr/bin/env bash
# Murmur and pfl-research from the same initial weights and the same user order, no DP (issue 24).
# pfl_lm.py writes its initial weights (--export-init) and its sampler's user order (--write-order) and
# trains; Murmur then runs the peer's scenario (../shared/peer/murmur_peer.json) seeded from those weights
# (model.initialWeights) taking users in that order (clients.userOrder), with local shuffling off as in pfl,
# and with torch.nn.LSTM's two gate biases trained as two tensors (model.lstmBiases 2; LSTM_BIASES=1 for
# Murmur's single bias, whose sum learns half as fast).
# Usage: scripts/peer_same_start.sh MURMUR_BIN PEER_DIR [ROUNDS]   (PEER_DIR holds venv/ and data/{train,val};
# writes PEER_DIR/same-start/: init.safetensors, order.txt, pfl.jsonl, scenario.json, murmur/;
# PFL_THREADS=1 on a loaded machine: two torch threads there can take minutes a round, same curve)
set -euo pipefail
murmur="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; peer="$2"; rounds="${3:-50}"
here="$(cd "$(dirname "$0")" && pwd)"
shared="${MURMUR_PEER:-$here/../../shared/peer}"   # the repository's ../shared/peer (MURMUR_PEER overrides)
[ -d "$shared" ] || shared="$here/../../../shared/peer"   # from a worktree one level deeper
out="$peer/same-start"; mkdir -p "$out"
if [ -z "${REUSE_PFL:-}" ]; then   # REUSE_PFL=1: keep a finished pfl run of the same rounds in $out
  "$peer/venv/bin/python" "$shared/pfl_lm.py" "$peer/data/train" "$peer/data/val" --rounds "$rounds" --cohort 50 \
      --dp none --threads "${PFL_THREADS:-2}" --export-init "$out/init.safetensors" --write-order "$out/order.txt" --json-out "$out/pfl.jsonl" \
      > "$out/pfl.log" 2>&1
fi
python3 - "$shared/murmur_peer.json" "$out/scenario.json" "$peer" "$rounds" "${LSTM_BIASES:-2}" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); peer = sys.argv[3]
s["model"]["lstmBiases"] = int(sys.argv[5])
s["name"] = "peer-same-start"; s["rounds"] = int(sys.argv[4])
s["data"]["trainPath"] = peer + "/data/train"; s["data"]["validationPath"] = peer + "/data/val"
s["model"]["initialWeights"] = "init.safetensors"
s["clients"]["userOrder"] = "order.txt"
s["clients"]["shuffle"] = False
json.dump(s, open(sys.argv[2], "w"), indent=1)
PY
rm -rf "$out/murmur"
"$murmur" run "$out/scenario.json" --out "$out/murmur" > "$out/murmur.log" 2>&1
python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
pfl = {d["round"]: d["val_ppl"] for d in map(json.loads, open(out + "/pfl.jsonl")) if "val_ppl" in d}
mur = {d["round"]: d["validationPerplexity"] for d in map(json.loads, open(out + "/murmur/metrics.jsonl"))
       if d.get("validationPerplexity") is not None}
print("round | pfl-research | Murmur | Murmur / pfl - 1")
for r in sorted(pfl):
    if r in mur: print(f"{r} | {pfl[r]:.2f} | {mur[r]:.2f} | {mur[r] / pfl[r] - 1:+.4%}")
if 0 in mur: print(f"0 (Murmur's initial evaluation) | - | {mur[0]:.2f} |")
PY
